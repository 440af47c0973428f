import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface JwksOptions {
  readonly refreshSeconds: number;
  readonly staleSeconds: number;
  readonly fetchTimeoutMs: number;
  readonly waitMs: number;
}

/** Raised when a token cannot be checked because no usable key set is at hand: the runtime fails closed. */
export class JwksUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwksUnavailableError';
  }
}

const MAX_DOCUMENT_BYTES = 1 << 20;
/** A token with an unknown kid triggers at most one refetch per this period (per key set). */
const UNKNOWN_KID_COOLDOWN_MS = 10_000;

type LocalSet = JWTVerifyGetKey;

/**
 * The keys of one issuer: fetched over HTTP (the JWKS URI, or found by OIDC discovery), cached, refreshed
 * in the background once older than refreshSeconds, and kept usable for staleSeconds more while the
 * endpoint fails (stale-while-error). With no usable keys, verification fails closed. A kid it does not
 * know makes it refetch (rate-limited), so a key rotated in at the IdP is picked up at once.
 */
export class JwksSource {
  private local?: LocalSet;
  private fetchedAt = 0;
  private lastAttempt = 0;
  private inflight?: Promise<void>;
  private discoveredUri?: string;
  private keysJson = '';
  /** Changes whenever a refresh brings a different key set: results verified with older keys are stale. */
  version = 0;
  lastError?: string;

  constructor(
    readonly issuer: string,
    readonly jwksUri: string | undefined,
    private options: JwksOptions,
    private readonly now: () => number = Date.now,
  ) {}

  setOptions(options: JwksOptions): void {
    this.options = options;
  }

  /** True while keys are held and not past their stale window. */
  hasUsableKeys(): boolean {
    return this.local !== undefined && this.now() - this.fetchedAt <= (this.options.refreshSeconds + this.options.staleSeconds) * 1000;
  }

  /** A key-resolution function for jose's jwtVerify. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    await this.ensureKeys();
    try {
      return await this.local!(header, token);
    } catch (err) {
      if (!(err instanceof joseErrors.JWKSNoMatchingKey) || this.now() - this.lastAttempt < UNKNOWN_KID_COOLDOWN_MS) throw err;
      await this.waitForRefresh();
      if (!this.local) throw new JwksUnavailableError(this.lastError ?? 'no keys');
      return this.local(header, token);
    }
  };

  private async ensureKeys(): Promise<void> {
    const age = this.now() - this.fetchedAt;
    if (this.local && age <= this.options.refreshSeconds * 1000) return;
    if (this.hasUsableKeys()) {
      this.refresh().catch(() => undefined); // background; failures recorded in lastError
      return;
    }
    this.local = undefined; // past the stale window: never use them again
    await this.waitForRefresh();
    if (!this.local) throw new JwksUnavailableError(this.lastError ?? 'key set not fetched yet');
  }

  private async waitForRefresh(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.refresh().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Fetches the key set (one fetch at a time); resolves when done, rejects with the reason on failure. */
  refresh(): Promise<void> {
    if (!this.inflight) {
      this.lastAttempt = this.now();
      this.inflight = this.fetchKeys()
        .then((jwks) => {
          const json = JSON.stringify(jwks.keys);
          if (json !== this.keysJson) {
            this.keysJson = json;
            this.version++;
          }
          this.local = createLocalJWKSet(jwks) as LocalSet;
          this.fetchedAt = this.now();
          this.lastError = undefined;
        })
        .catch((err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
          throw err;
        })
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }

  private async fetchKeys(): Promise<JSONWebKeySet> {
    const uri = this.jwksUri ?? this.discoveredUri ?? (await this.discover());
    const doc = (await this.fetchJson(uri)) as { keys?: unknown };
    if (!doc || !Array.isArray(doc.keys)) throw new Error(`${uri}: not a JWKS (no keys array)`);
    // symmetric keys have no place in an issuer's public key set
    const keys = doc.keys.filter((k): k is JSONWebKeySet['keys'][number] => typeof k === 'object' && k !== null && (k as { kty?: unknown }).kty !== 'oct');
    if (keys.length === 0) throw new Error(`${uri}: the key set holds no public key`);
    return { keys };
  }

  private async discover(): Promise<string> {
    const url = `${this.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const doc = (await this.fetchJson(url)) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc?.issuer !== this.issuer) throw new Error(`${url}: issuer ${JSON.stringify(doc?.issuer)} is not ${this.issuer}`);
    if (typeof doc.jwks_uri !== 'string' || !/^https?:\/\//.test(doc.jwks_uri)) throw new Error(`${url}: no jwks_uri`);
    this.discoveredUri = doc.jwks_uri;
    return doc.jwks_uri;
  }

  private async fetchJson(url: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.options.fetchTimeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
    } catch (err) {
      throw new Error(`${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
    }
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url}: document larger than ${MAX_DOCUMENT_BYTES} bytes`);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${url}: not JSON`);
    }
  }
}

/** Key sets shared across config reloads, so a reload neither refetches nor forgets keys. */
export class JwksRegistry {
  private readonly sources = new Map<string, JwksSource>();

  constructor(private readonly now: () => number = Date.now) {}

  get(issuer: string, jwksUri: string | undefined, options: JwksOptions): JwksSource {
    const id = `${issuer}\n${jwksUri ?? ''}`;
    let source = this.sources.get(id);
    if (source) source.setOptions(options);
    else {
      source = new JwksSource(issuer, jwksUri, options, this.now);
      this.sources.set(id, source);
    }
    return source;
  }

  /** Forgets the sources a new config no longer uses. */
  retain(used: ReadonlySet<JwksSource>): void {
    for (const [id, s] of this.sources) if (!used.has(s)) this.sources.delete(id);
  }
}
