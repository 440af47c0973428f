import { createHash, createHmac } from 'node:crypto';

/**
 * SigV4 written from AWS's specification, independently of the runtime's signer, to check its output.
 * Canonical request -> string to sign -> HMAC chain (date, region, service, aws4_request) -> signature.
 */
const hex = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const hmac = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s).digest();
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function referenceSignature(input: {
  method: string;
  path: string; // as on the wire, query included
  headers: Record<string, string>; // the signed ones, by lowercase name
  signedHeaders: string[];
  body: Buffer | string;
  amzDate: string;
  region: string;
  service: string;
  secretAccessKey: string;
}): string {
  const q = input.path.indexOf('?');
  const rawPath = q < 0 ? input.path : input.path.slice(0, q);
  // non-S3 services: each segment is URI-encoded once more
  const canonicalUri = rawPath
    .split('/')
    .map((seg) => enc(seg))
    .join('/');
  const query =
    q < 0
      ? ''
      : [...new URLSearchParams(input.path.slice(q + 1))]
          .map(([k, v]) => [enc(k), enc(v)] as const)
          .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
          .map(([k, v]) => `${k}=${v}`)
          .join('&');
  const signed = [...input.signedHeaders].sort();
  const canonicalHeaders = signed.map((h) => `${h}:${input.headers[h]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [input.method, canonicalUri, query, canonicalHeaders, signed.join(';'), hex(input.body)].join('\n');
  const date = input.amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${input.secretAccessKey}`, date);
  const kSigning = hmac(hmac(hmac(kDate, input.region), input.service), 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}
