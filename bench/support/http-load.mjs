// Keep-alive HTTP load generator, run as a separate process by http.bench.ts:
//   node http-load.mjs <url> <connections> <seconds> <json body>
// Prints {"requests":n,"seconds":s,"errors":e,"statuses":{...}} on stdout.
import http from 'node:http';

const [url, connections, seconds, body] = process.argv.slice(2);
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const payload = Buffer.from(body);
const end = performance.now() + Number(seconds) * 1000;
let requests = 0;
let errors = 0;
const statuses = {};

function once() {
  return new Promise((resolve) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(payload);
  });
}

async function lane() {
  while (performance.now() < end) {
    await once();
    requests++;
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: Number(connections) }, lane));
process.stdout.write(JSON.stringify({ requests, seconds: (performance.now() - t0) / 1000, errors, statuses }));
agent.destroy();
