import type { HeaderMap, HeaderMutation } from './messages.js';

/**
 * The request headers of one ext_proc message, by lowercase name. Envoy sends values in raw_value (bytes);
 * `value` is read only when raw_value is absent. A name sent several times keeps every value, so that a
 * duplicated credential header is seen as such. The values are the message's own bytes, not copies:
 * nothing writes to a received message.
 */
export class RequestHeaders {
  // the names in the order first sent, and for each its value: one Buffer, an array only for a name sent
  // more than once. A request has a dozen or two headers, for which a scan costs less than a Map (whose
  // table, grown twice on the way to 16 entries, was some 1 kB of garbage per request); past SCAN_LIMIT
  // names, lookups go through an index
  private readonly keys: string[] = [];
  private readonly values: (Buffer | Buffer[])[] = [];
  private index?: Map<string, number>;

  constructor(map?: HeaderMap) {
    const list = map?.headers;
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      if (typeof h.key !== 'string') continue;
      const raw = h.raw_value && h.raw_value.length > 0 ? asBuffer(h.raw_value) : Buffer.from(h.value ?? '', 'latin1');
      this.add(h.key.toLowerCase(), raw);
    }
  }

  static of(record: Record<string, string | string[]>): RequestHeaders {
    const headers = new RequestHeaders();
    for (const [k, v] of Object.entries(record)) {
      for (const one of Array.isArray(v) ? v : [v]) headers.add(k.toLowerCase(), Buffer.from(one, 'latin1'));
    }
    return headers;
  }

  private find(name: string): number {
    return this.index ? (this.index.get(name) ?? -1) : this.keys.indexOf(name);
  }

  private add(name: string, raw: Buffer): void {
    const i = this.find(name);
    if (i >= 0) {
      const prior = this.values[i]!;
      if (Array.isArray(prior)) prior.push(raw);
      else this.values[i] = [prior, raw];
      return;
    }
    this.keys.push(name);
    this.values.push(raw);
    if (this.index) this.index.set(name, this.keys.length - 1);
    else if (this.keys.length > SCAN_LIMIT) this.index = new Map(this.keys.map((k, j) => [k, j]));
  }

  has(name: string): boolean {
    return this.find(name) >= 0;
  }

  /** How many times the header was sent. */
  count(name: string): number {
    const i = this.find(name);
    if (i < 0) return 0;
    const v = this.values[i]!;
    return Array.isArray(v) ? v.length : 1;
  }

  /** The single value of a header (latin1, byte for byte), undefined when absent. */
  get(name: string): string | undefined {
    return this.raw(name)?.toString('latin1');
  }

  /** The (first) value's bytes. */
  raw(name: string): Buffer | undefined {
    const i = this.find(name);
    if (i < 0) return undefined;
    const v = this.values[i]!;
    return Array.isArray(v) ? v[0] : v;
  }

  /** Every name sent, lowercase, each once, in the order first sent. */
  names(): readonly string[] {
    return this.keys;
  }
}

/** Names up to which a lookup scans the list (above, a Map indexes them). */
const SCAN_LIMIT = 32;

/** A bytes field (received, or protobufjs's encoder output) as a Buffer over the same memory; under node it mostly is one already. */
export function asBuffer(bytes: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Builds a header mutation: sets in raw_value with `append` unset (Envoy overwrites), removals apart. The
 * lists are the answer's own (a request sets and removes a handful of headers: a scan beats a Map), and
 * `build()` hands them over, so a builder is done with once built.
 */
export class MutationBuilder {
  private readonly sets: { header: { key: string; raw_value: Buffer } }[] = [];
  private readonly removes: string[] = [];

  set(name: string, value: string | Buffer): this {
    const raw = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const removed = this.removes.indexOf(name);
    if (removed >= 0) this.removes.splice(removed, 1);
    const prior = this.indexOf(name);
    if (prior >= 0) this.sets[prior]!.header.raw_value = raw;
    else this.sets.push({ header: { key: name, raw_value: raw } });
    return this;
  }

  remove(name: string): this {
    if (!this.isSet(name) && !this.removes.includes(name)) this.removes.push(name);
    return this;
  }

  isSet(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  private indexOf(name: string): number {
    for (let i = 0; i < this.sets.length; i++) if (this.sets[i]!.header.key === name) return i;
    return -1;
  }

  isEmpty(): boolean {
    return this.sets.length === 0 && this.removes.length === 0;
  }

  build(): HeaderMutation {
    return { set_headers: this.sets, remove_headers: this.removes };
  }
}

/** A header value Envoy accepts: no control characters but tab, bounded length. */
export function isHeaderSafe(value: string, max = 8192): boolean {
  // eslint-disable-next-line no-control-regex
  return value.length <= max && !/[\x00-\x08\x0a-\x1f\x7f]/.test(value);
}
