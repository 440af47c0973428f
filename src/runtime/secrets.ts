import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretKeyRef, SecretRef } from '../contract/index.js';

/**
 * Reads Secrets mounted as volumes: `${root}/${namespace}/${name}/${key}`, one file per key. Kubernetes
 * writes a volume through the atomic writer: the files are symlinks into `..data`, itself a symlink that
 * is swapped to a new timestamped directory on every update. Entries starting with a dot are its
 * bookkeeping and are skipped.
 */
export class SecretReader {
  constructor(readonly root: string) {}

  dir(ref: SecretRef): string {
    return join(this.root, ref.namespace, ref.name);
  }

  /** Every key of a Secret with its value, sorted by key. Throws with the path when unreadable. */
  readAll(ref: SecretRef): Map<string, Buffer> {
    const dir = this.dir(ref);
    let entries: string[];
    try {
      entries = readdirSync(dir).filter((e) => !e.startsWith('.')).sort();
    } catch (err) {
      throw new Error(`secret ${ref.namespace}/${ref.name}: cannot list ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const out = new Map<string, Buffer>();
    for (const key of entries) {
      const path = join(dir, key);
      try {
        if (!statSync(path).isFile()) continue;
        out.set(key, readFileSync(path));
      } catch (err) {
        throw new Error(`secret ${ref.namespace}/${ref.name}: cannot read key ${key}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    }
    return out;
  }

  /** One key of a Secret, trailing newline(s) trimmed (editors and `kubectl create secret --from-file` add one). */
  readKey(ref: SecretKeyRef): string {
    const path = join(this.dir(ref.secret), ref.key);
    try {
      return trimNewline(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(
        `secret ${ref.secret.namespace}/${ref.secret.name}: cannot read key ${ref.key}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  }

  /**
   * A cheap fingerprint of a Secret directory that changes whenever its content may have: the target
   * of `..data` when the atomic writer is used, otherwise names, sizes and modification times.
   */
  fingerprint(ref: SecretRef): string {
    const dir = this.dir(ref);
    try {
      return `data:${readlinkSync(join(dir, '..data'))}`;
    } catch {
      // not an atomic-writer volume
    }
    const hash = createHash('sha256');
    try {
      for (const e of readdirSync(dir).sort()) {
        if (e.startsWith('.')) continue;
        try {
          const s = statSync(join(dir, e));
          hash.update(`${e}\0${s.size}\0${s.mtimeMs}\0${s.ino}\n`);
        } catch {
          hash.update(`${e}\0gone\n`);
        }
      }
    } catch {
      return 'missing';
    }
    return hash.digest('hex');
  }
}

export function trimNewline(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}
