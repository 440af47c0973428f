import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { parseRuntimeConfig, type RuntimeConfig } from '../contract/index.js';
import type { JwksRegistry } from './jwks.js';
import type { Logger } from './log.js';
import type { RuntimeMetrics } from './metrics.js';
import { SecretReader } from './secrets.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';

/** A config that cannot be used, with every reason. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly reasons: readonly string[],
  ) {
    super(`${file}: ${reasons.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads, parses and builds a snapshot from the config file; throws ConfigError. */
export function loadSnapshot(file: string, jwks: JwksRegistry, generation: number): { snapshot: Snapshot; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read it: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const parsed = parseRuntimeConfig(doc);
  if (!parsed.ok) throw new ConfigError(file, parsed.errors);
  try {
    return { snapshot: buildSnapshot(parsed.config, jwks, generation), text };
  } catch (err) {
    throw new ConfigError(file, [err instanceof Error ? err.message : String(err)]);
  }
}

function fingerprintOf(text: string, config: RuntimeConfig, refs: Snapshot['secretRefs']): string {
  const secrets = new SecretReader(config.secretsRoot);
  const h = createHash('sha256').update(text);
  for (const r of refs) h.update(`\n${r.namespace}/${r.name}=${secrets.fingerprint(r)}`);
  return h.digest('hex');
}

/**
 * Holds the snapshot in force and replaces it when the config file or a Secret it reads changes:
 * fs.watch on their directories (a ConfigMap or Secret volume changes by swapping its `..data` symlink,
 * so the directory is watched, not the file) plus a periodic check. A change builds a complete new
 * snapshot and swaps it in; a config that fails keeps the last good one in force and logs why.
 */
export class ConfigSource {
  private snapshot: Snapshot;
  private fingerprint: string;
  private lastAttempt: string;
  private watchers: FSWatcher[] = [];
  private watched = new Set<string>();
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly jwks: JwksRegistry,
    private readonly logger: Logger,
    private readonly metrics: RuntimeMetrics,
  ) {
    const { snapshot, text } = loadSnapshot(file, jwks, 1);
    this.snapshot = snapshot;
    this.fingerprint = this.lastAttempt = fingerprintOf(text, snapshot.config, snapshot.secretRefs);
    this.installed();
  }

  current(): Snapshot {
    return this.snapshot;
  }

  /** Checks for a change now; true when a new snapshot went in force. */
  check(): boolean {
    if (this.closed) return false;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      text = '\0unreadable';
    }
    const fp = fingerprintOf(text, this.snapshot.config, this.snapshot.secretRefs);
    if (fp === this.fingerprint || fp === this.lastAttempt) return false;
    this.lastAttempt = fp;
    try {
      const { snapshot, text: loaded } = loadSnapshot(this.file, this.jwks, this.snapshot.generation + 1);
      this.snapshot = snapshot;
      this.fingerprint = this.lastAttempt = fingerprintOf(loaded, snapshot.config, snapshot.secretRefs);
      this.installed();
      this.logger.info({ generation: snapshot.generation, routes: snapshot.routes.size }, 'config reloaded');
      return true;
    } catch (err) {
      this.metrics.reloadFailures.inc();
      const reasons = err instanceof ConfigError ? err.reasons : [String(err)];
      this.logger.error({ generation: this.snapshot.generation, reasons }, 'config reload refused; the last good config stays in force');
      return false;
    }
  }

  private installed(): void {
    const s = this.snapshot;
    this.metrics.generation.set(s.generation);
    this.jwks.retain(s.jwksSources);
    for (const source of s.jwksSources) {
      if (!source.hasUsableKeys())
        source.refresh().catch((err: unknown) => {
          this.metrics.jwksFailures.inc();
          this.logger.warn({ issuer: source.issuer, reason: err instanceof Error ? err.message : String(err) }, 'JWKS fetch failed');
        });
    }
    if (this.closed) return;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check(), s.config.reloadCheckSeconds * 1000);
    this.timer.unref();
    const secrets = new SecretReader(s.config.secretsRoot);
    const dirs = [dirname(this.file), ...s.secretRefs.map((r) => secrets.dir(r))];
    for (const dir of dirs) {
      if (this.watched.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.soon());
        w.on('error', () => undefined); // the directory went away: the periodic check still runs
        this.watchers.push(w);
        this.watched.add(dir);
      } catch {
        // not there (yet): the periodic check covers it
      }
    }
  }

  private soon(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.check(), 50);
    this.debounce.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
