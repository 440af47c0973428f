import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir).map((e) => (statSync(join(dir, e)).isDirectory() ? newestMtime(join(dir, e)) : statSync(join(dir, e)).mtimeMs)));
}

/**
 * Builds lib/ (what `npm ci` does through prepare) when `file` (relative to lib/) is missing or older
 * than anything in src/, for tests that run the compiled package the way users do.
 */
export function ensureBuilt(file: string): void {
  const built = join(ROOT, 'lib', file);
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(built)) throw new Error(`npm run build did not produce lib/${file}:\n${build.stdout}\n${build.stderr}`);
}
