import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { serverMain } from './server-process.ts';

/**
 * Our TypeScript (the server and the workspace packages) as one ES module, for tests that start
 * the real server many times (kill -9 rounds): node then loads it without the tsx loader, which
 * transforms and resolves hundreds of modules at every start (a third of a start under load).
 * Third-party packages stay outside, imported from where they are installed, and each of our
 * files keeps its own `import.meta.url` (migrations, the catalogue, word lists are found beside it).
 */
const ownSourcesOnly: Plugin = {
  name: 'own-sources-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@estateflow/') || args.pluginData === 'inner') return undefined;
      if (args.path.startsWith('node:')) return { external: true };
      const found = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'inner' });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: pathToFileURL(found.path).href, external: true };
    });
    b.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
      resolveDir: dirname(args.path),
    }));
  },
};

/** Bundles `main` (default: `pnpm start`'s main.ts) into `outDir` and answers the file to run with plain node. */
export async function bundleServer(outDir: string, main = serverMain): Promise<string> {
  const outfile = join(outDir, 'server.mjs');
  await build({ entryPoints: [main], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning', plugins: [ownSourcesOnly] });
  return outfile;
}
