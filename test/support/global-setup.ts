import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Once before every test file: the web app's generated tsconfig (`apps/web/.svelte-kit`, made by
 * `svelte-kit sync`). Tests that import the web's modules (test/web) are compiled with it; on a
 * fresh clone nothing has made it yet, and which file ran first would decide whether they pass.
 */
export default function setup(): void {
  const web = join(import.meta.dirname, '../../apps/web');
  if (!existsSync(join(web, '.svelte-kit/tsconfig.json'))) execFileSync('pnpm', ['exec', 'svelte-kit', 'sync'], { cwd: web, stdio: 'pipe' });
}
