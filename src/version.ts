import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimePackage } from './compile/runtime/image.js';

/** This package's root: one level up from src/ and from lib/ alike. */
export function packageRoot(): string {
  return fileURLToPath(new URL('..', import.meta.url));
}

/** The package version, read from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

interface LockEntry {
  version?: unknown;
  resolved?: unknown;
  integrity?: unknown;
  link?: unknown;
}

/** The lockfiles npm writes, the one describing what is installed first. */
const LOCKFILES = [join('node_modules', '.package-lock.json'), 'npm-shrinkwrap.json', 'package-lock.json'];

/** A tarball URL safe to write into a Dockerfile's shell command: https, no credentials, no shell syntax. */
const TARBALL_URL = /^https:\/\/[A-Za-z0-9.-]+(?::\d+)?\/[A-Za-z0-9._~/%+@-]*\.tgz$/;

/**
 * Where the installed package (`dir`, default this one) came from, as the nearest lockfile above it that
 * lists it at the same version recorded it: the tarball's sha512 and what to fetch it by when it came from
 * a registry (see RuntimePackage). Only npm's lockfiles are read. Never throws: an unreadable or foreign
 * lockfile counts as none, and then the package is taken as unpinned (a source checkout, a link).
 */
export function installedPackage(dir = packageRoot(), version = packageVersion()): RuntimePackage {
  const pkgDir = dir.replace(/[\\/]+$/, '');
  for (let root = dirname(pkgDir); dirname(root) !== root; root = dirname(root)) {
    const key = relative(root, pkgDir).split(sep).join('/');
    if (!key.startsWith('node_modules/')) continue;
    for (const file of LOCKFILES) {
      const entry = lockEntry(join(root, file), key);
      if (entry?.version === version) return fromLockEntry(entry, version);
    }
  }
  return { version };
}

function fromLockEntry(entry: LockEntry, version: string): RuntimePackage {
  const resolved = typeof entry.resolved === 'string' ? entry.resolved : undefined;
  const sha512 = entry.link === true ? undefined : sha512Hex(entry.integrity);
  if (sha512) {
    if (resolved === undefined) return { version, sha512, fetch: `portcullis@${version}` };
    if (TARBALL_URL.test(resolved)) return { version, sha512, fetch: resolved };
    // a registry URL of another shape (or with credentials in it): the builder's registry, by name
    if (/^https?:\/\//i.test(resolved)) return { version, sha512, fetch: `portcullis@${version}` };
  }
  const from = resolved === undefined ? undefined : shown(resolved);
  return { version, ...(sha512 && { sha512 }), ...(from && { from }) };
}

/**
 * A lockfile's `resolved` as the Dockerfile may show it: one printable token, without a password, a user
 * other than ssh's `git`, or a query (where tokens hide). Undefined when it cannot be shown safely.
 */
function shown(resolved: string): string | undefined {
  if (!/^[\x21-\x7e]{1,512}$/.test(resolved)) return undefined;
  if (!resolved.includes('://')) return resolved;
  try {
    const url = new URL(resolved);
    url.password = '';
    if (url.username !== 'git') url.username = '';
    url.search = '';
    return url.href;
  } catch {
    return undefined;
  }
}

function lockEntry(file: string, key: string): LockEntry | undefined {
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages?: Record<string, LockEntry> };
    const entry = lock.packages?.[key];
    return entry && typeof entry === 'object' ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** The sha512 of an SRI integrity string ("sha512-<base64>", possibly among others) as hex. */
function sha512Hex(integrity: unknown): string | undefined {
  if (typeof integrity !== 'string') return undefined;
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^sha512-([A-Za-z0-9+/]{86}==)(?:\?.*)?$/.exec(part);
    if (m) return Buffer.from(m[1]!, 'base64').toString('hex');
  }
  return undefined;
}

