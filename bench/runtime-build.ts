import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Compiles bench/runtime-server.ts (and the runtime it imports) to JavaScript, and returns the path of the
 * compiled server. The benches run their servers under plain node, as the image runs the runtime: tsx would
 * add its own memory, and so change the heap whose collections they measure. Built inside this checkout
 * (node_modules may be shared between worktrees, a build there is not ours).
 */
export function buildRuntimeServer(): string {
  const root = join(import.meta.dirname, '..');
  const build = join(root, '.bench-build', 'runtime');
  rmSync(build, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--ignoreConfig', '--outDir', build, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--strict', '--esModuleInterop', join(root, 'bench', 'runtime-server.ts')],
    { stdio: 'inherit' },
  );
  writeFileSync(join(build, 'package.json'), '{"type":"module"}\n');
  return join(build, 'bench', 'runtime-server.js');
}
