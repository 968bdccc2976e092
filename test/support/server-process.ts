import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const serverMain = `${root}apps/api/src/main.ts`;
export const workerMain = `${root}apps/api/src/worker-main.ts`;

/** A free TCP port on localhost. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  output(): string;
  /** resolves when the server listens; rejects with its output if it exits first */
  listening: Promise<void>;
  exited: Promise<number | null>;
}

/**
 * `pnpm start` as a real child process (node with the tsx loader, or a bundle of it, no pnpm or tsx
 * CLI in between, so the child's pid is the server's and SIGKILL reaches it): no demo, the given env on top.
 */
export function startServer(env: Record<string, string | undefined>, port: number, main = serverMain): ServerProcess {
  // a bundle (support/server-build.ts) is plain JavaScript: no loader
  const child = spawn(process.execPath, main.endsWith('.mjs') ? [main] : ['--import', 'tsx', main], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: undefined, DATABASE_READ_URL: undefined, EF_NO_DEMO: '1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    const check = (d: unknown) => {
      if (String(d).includes('listening on')) resolve();
    };
    child.stdout?.on('data', check);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  listening.catch(() => {});
  return { child, port, output: () => out, listening, exited };
}

/** Ends a child (SIGKILL unless told otherwise) and waits for it. */
export async function stop(p: ServerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}
