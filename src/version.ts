import { readFileSync } from 'node:fs';

/** The package version, read from package.json (one level up from src/ and from lib/ alike). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
