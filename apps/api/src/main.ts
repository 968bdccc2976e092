import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.ts';
import { scheduleBackups } from './backup-schedule.ts';
import { defaultConfig } from './config.ts';
import { demoPassword, seedDemo } from './demo.ts';
import { openDatabaseOrExit, openReportReplica } from './open-database.ts';
import { withPageSecurityHeaders } from './security-headers.ts';
import { startWorker } from './worker.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * `pnpm start`: migrate (PGlite in `.data/pglite`, or DATABASE_URL), seed the demo, run the
 * worker, and serve `/api` plus the SvelteKit build (apps/web/build/handler.js) on one port.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const url = process.env.DATABASE_URL;
const dataDir = process.env.PGLITE_DIR ?? `${root}.data/pglite`;
const port = Number(process.env.PORT ?? 3000);
const { db, kind, close } = await openDatabaseOrExit(url ? { url } : { dataDir });
console.log(`[estateflow] database: ${kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${dataDir}`}, migrated`);
const config = defaultConfig({ secureCookies: process.env.SECURE_COOKIES === '1' });
const reports = await openReportReplica(process.env.DATABASE_READ_URL, kind);

if (process.env.EF_NO_DEMO !== '1') {
  const demo = await seedDemo(db, config);
  console.log(`[estateflow] demo estate 颐园世家 ${demo.created ? 'created' : 'already present'}; bundles installed now: ${demo.installed.join(', ') || 'none new'}${demo.activity ? `; ${demo.activity} sample requests started` : ''}`);
  console.log(`[estateflow] sign in with any of these users, password "${demoPassword}":`);
  for (const u of demo.users) console.log(`    ${u.username.padEnd(18)} ${u.role}`);
}

const api = getRequestListener(createApp({ db, reportDb: reports?.db, config }).fetch);
const webBuild = `${root}apps/web/build/handler.js`;
let web: NodeHandler | undefined;
if (existsSync(webBuild)) {
  web = withPageSecurityHeaders(((await import(pathToFileURL(webBuild).href)) as { handler: NodeHandler }).handler, config.secureCookies);
} else {
  console.log('[estateflow] no web build (apps/web/build/handler.js): serving the API only');
}

const server = createServer((req, res) => {
  if (req.url === '/api' || req.url?.startsWith('/api/')) return void api(req, res);
  if (web) return web(req, res, () => {
    res.statusCode = 404;
    res.end('Not found');
  });
  res.statusCode = req.url === '/' ? 302 : 404;
  if (req.url === '/') res.setHeader('location', '/api/docs');
  res.end();
});

// PGlite only (on PostgreSQL, back up the server with its own tools or pnpm backup)
const stopBackups = kind === 'pglite'
  ? scheduleBackups(db, {
    dir: process.env.EF_BACKUP_DIR ?? `${dirname(dataDir)}/backups`,
    everyHours: Number(process.env.EF_BACKUP_HOURS ?? 24),
    keep: Number(process.env.EF_BACKUP_KEEP ?? 7),
    firstAfterMs: Number(process.env.EF_BACKUP_FIRST_AFTER_MS ?? 60_000),
  })
  : undefined;
const stopWorker = process.env.EF_NO_WORKER === '1' ? undefined : startWorker({ db, workerId: `${hostname()}:${process.pid}` });
server.listen(port, () => console.log(`[estateflow] listening on http://localhost:${port} (API reference: /api/docs)`));

const shutdown = async () => {
  server.close();
  stopBackups?.();
  await stopWorker?.();
  await reports?.close();
  await close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
