/**
 * `pnpm bench`: runs every `*.bench.ts` of the workspace (packages/<x>/bench, apps/<x>/bench, bench/),
 * prints one table and writes it, with the machine's details, to bench/results/latest.md.
 * Each bench module exports `run(): Promise<BenchResult[]>`; a ratio compares us with a baseline
 * measured in the same run on the same machine, so it holds on a noisy machine.
 */
import { readdirSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  /** ours / baseline (or baseline / ours), as the name says */
  ratio?: number;
  target?: string;
  baseline?: string;
  note?: string;
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);

function benchFiles(): string[] {
  const dirs: string[] = [join(root, 'bench')];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) dirs.push(join(base, name, 'bench'));
  }
  const files: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.bench.ts')) files.push(join(dir, f));
  }
  return files.filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

async function main(): Promise<void> {
  const rows: (BenchResult & { file: string })[] = [];
  const failures: string[] = [];
  for (const file of benchFiles()) {
    const rel = relative(root, file);
    process.stdout.write(`running ${rel} …\n`);
    try {
      const mod = (await import(pathToFileURL(file).href)) as { run?: () => Promise<BenchResult[]> };
      if (typeof mod.run !== 'function') throw new Error('exports no run()');
      for (const r of await mod.run()) rows.push({ ...r, file: rel });
    } catch (err) {
      failures.push(`${rel}: ${(err as Error).stack ?? String(err)}`);
    }
  }
  const header = '| benchmark | value | unit | ratio | target | baseline / note | source |\n| --- | ---: | --- | ---: | --- | --- | --- |';
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.ratio === undefined ? '' : fmt(r.ratio)} | ${r.target ?? ''} | ${[r.baseline, r.note].filter(Boolean).join('; ')} | ${r.file} |`,
  );
  // a run of some benches (`pnpm bench screens`) replaces their rows in latest.md and keeps the others' last figures
  const latest = join(root, 'bench', 'results', 'latest.md');
  const ran = new Set(benchFiles().map((f) => relative(root, f)));
  const kept = only.length && existsSync(latest)
    ? readFileSync(latest, 'utf8').split('\n').filter((l) => /^\| (?!benchmark |---)/.test(l) && !ran.has(l.split('|').at(-2)?.trim() ?? ''))
    : [];
  const table = [header, ...kept, ...lines].join('\n');
  const cpus = os.cpus();
  const machine = [
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}`,
    `- cpu: ${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- PostgreSQL: ${process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'} (each bench makes and drops a scratch database there); PGlite on disk in a temporary folder`,
  ].join('\n');
  const md = `# Benchmark results\n\nWritten by \`pnpm bench\` (\`pnpm bench <name>\` replaces only that bench's rows). Ratios compare with a baseline measured in the same run on the same machine.\n\n${machine}\n\n${table}\n${
    failures.length ? `\n## Failed\n\n${failures.map((f) => '```\n' + f + '\n```').join('\n')}\n` : ''
  }`;
  console.log('\n' + table);
  if (failures.length) console.error('\nfailed:\n' + failures.join('\n'));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(latest, md);
  process.exitCode = failures.length ? 1 : 0;
}

await main();
