import type { HeaderMap, HeaderMutation, HeaderValueOption } from './messages.js';

/**
 * The request headers of one ext_proc message, by lowercase name. Envoy sends values in raw_value (bytes);
 * `value` is read only when raw_value is absent. A name sent several times keeps every value, so that a
 * duplicated credential header is seen as such. The values are the message's own bytes, not copies:
 * nothing writes to a received message.
 */
export class RequestHeaders {
  // one Buffer per name; an array only for a name sent more than once
  private readonly map = new Map<string, Buffer | Buffer[]>();

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

  private add(name: string, raw: Buffer): void {
    const prior = this.map.get(name);
    if (prior === undefined) this.map.set(name, raw);
    else if (Array.isArray(prior)) prior.push(raw);
    else this.map.set(name, [prior, raw]);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** How many times the header was sent. */
  count(name: string): number {
    const v = this.map.get(name);
    return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
  }

  /** The single value of a header (latin1, byte for byte), undefined when absent. */
  get(name: string): string | undefined {
    return this.raw(name)?.toString('latin1');
  }

  /** The (first) value's bytes. */
  raw(name: string): Buffer | undefined {
    const v = this.map.get(name);
    return Array.isArray(v) ? v[0] : v;
  }

  names(): IterableIterator<string> {
    return this.map.keys();
  }
}

/** A received bytes field as a Buffer over the same memory. */
function asBuffer(bytes: Buffer | Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Builds a header mutation: sets in raw_value with `append` unset (Envoy overwrites), removals apart. */
export class MutationBuilder {
  private readonly sets = new Map<string, Buffer>();
  private readonly removes = new Set<string>();

  set(name: string, value: string | Buffer): this {
    this.removes.delete(name);
    this.sets.set(name, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
    return this;
  }

  remove(name: string): this {
    if (!this.sets.has(name)) this.removes.add(name);
    return this;
  }

  isSet(name: string): boolean {
    return this.sets.has(name);
  }

  isEmpty(): boolean {
    return this.sets.size === 0 && this.removes.size === 0;
  }

  build(): HeaderMutation {
    const set_headers: HeaderValueOption[] = [...this.sets].map(([key, raw_value]) => ({ header: { key, raw_value } }));
    return { set_headers, remove_headers: [...this.removes] };
  }
}

/** A header value Envoy accepts: no control characters but tab, bounded length. */
export function isHeaderSafe(value: string, max = 8192): boolean {
  // eslint-disable-next-line no-control-regex
  return value.length <= max && !/[\x00-\x08\x0a-\x1f\x7f]/.test(value);
}
