import type { HeaderMap, HeaderMutation, HeaderValueOption } from './messages.js';

/**
 * The request headers of one ext_proc message, by lowercase name. Envoy sends values in raw_value (bytes);
 * `value` is read only when raw_value is absent. A name sent several times keeps every value, so that a
 * duplicated credential header is seen as such.
 */
export class RequestHeaders {
  private readonly map = new Map<string, Buffer[]>();

  constructor(map?: HeaderMap) {
    for (const h of map?.headers ?? []) {
      if (typeof h.key !== 'string') continue;
      const name = h.key.toLowerCase();
      const raw = h.raw_value && h.raw_value.length > 0 ? Buffer.from(h.raw_value) : Buffer.from(h.value ?? '', 'latin1');
      const list = this.map.get(name);
      if (list) list.push(raw);
      else this.map.set(name, [raw]);
    }
  }

  static of(record: Record<string, string | string[]>): RequestHeaders {
    const headers = new RequestHeaders();
    for (const [k, v] of Object.entries(record)) {
      for (const one of Array.isArray(v) ? v : [v]) {
        const name = k.toLowerCase();
        const list = headers.map.get(name) ?? [];
        list.push(Buffer.from(one, 'latin1'));
        headers.map.set(name, list);
      }
    }
    return headers;
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** How many times the header was sent. */
  count(name: string): number {
    return this.map.get(name)?.length ?? 0;
  }

  /** The single value of a header (latin1, byte for byte), undefined when absent. */
  get(name: string): string | undefined {
    return this.map.get(name)?.[0]?.toString('latin1');
  }

  raw(name: string): Buffer | undefined {
    return this.map.get(name)?.[0];
  }

  names(): IterableIterator<string> {
    return this.map.keys();
  }
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
