import type { Format } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';

/**
 * The `format`s the vendored CRDs use, checked the way the API server checks them. Kubernetes ignores
 * formats it does not know; `translate.ts` drops every format that is not listed here.
 */
export const FORMATS: Readonly<Record<string, Format>> = {
  int32: fullFormats.int32,
  int64: fullFormats.int64,
  'date-time': fullFormats['date-time'],
  ipv4: fullFormats.ipv4,
  ipv6: fullFormats.ipv6,
  byte: fullFormats.byte,
  uri: isRequestUri,
};

/** Go's `url.ParseRequestURI`, which Kubernetes uses for `format: uri`: an absolute URI or an absolute path. */
function isRequestUri(value: string): boolean {
  return !/[\x00-\x1f\x7f]/.test(value) && /^(?:[A-Za-z][A-Za-z0-9+.-]*:|\/)/.test(value);
}
