/**
 * x-forwarded-client-cert, as Envoy writes it: elements separated by commas, each a list of
 * `Key=Value` pairs separated by semicolons; a value may be double-quoted (then commas, semicolons and
 * equals signs inside are literal, and a backslash escapes the next character). Keys are By, Hash, Cert,
 * Chain, Subject, URI and DNS; URI and DNS may repeat. Envoy appends its own element last.
 */
export type XfccElement = ReadonlyMap<string, readonly string[]>;

export function parseXfcc(header: string): XfccElement[] | undefined {
  const elements: XfccElement[] = [];
  let current = new Map<string, string[]>();
  let i = 0;
  const n = header.length;
  const flush = () => {
    if (current.size > 0) elements.push(current);
    current = new Map();
  };
  while (i < n) {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    if (i >= n) break;
    const eq = header.indexOf('=', i);
    if (eq < 0) return undefined;
    const key = header.slice(i, eq).trim().toLowerCase();
    if (!/^[a-z]+$/.test(key)) return undefined;
    i = eq + 1;
    let value = '';
    if (header[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = header[i]!;
        if (c === '\\' && i + 1 < n) {
          value += header[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return undefined;
    } else {
      while (i < n && header[i] !== ';' && header[i] !== ',') value += header[i++];
      value = value.trim();
    }
    const list = current.get(key);
    if (list) list.push(value);
    else current.set(key, [value]);
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    if (i >= n) break;
    if (header[i] === ';') i++;
    else if (header[i] === ',') {
      i++;
      flush();
    } else return undefined;
  }
  flush();
  return elements;
}
