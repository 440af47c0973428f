/**
 * The runtime's answers as protobuf bytes, written straight into a buffer. protobufjs (what
 * @grpc/proto-loader serializes with) first copies an answer into message objects (fromObject), then
 * queues one operation object per field: for an allow with five headers that is about 5.5 kB of garbage
 * per request, which the runtime's young generation then has to collect.
 *
 * Only the messages and fields the runtime writes are known here, and only with the types it writes
 * them with (strings: ASCII only, so that no UTF-8 edge case can differ). For anything else `encodeResponse` returns undefined and the caller falls back to
 * protobufjs, which then converts, drops or refuses exactly as before. Where it encodes, the bytes are
 * the ones protobufjs writes (fields in number order, present scalars written even when empty, empty
 * repeated fields left out, map entries in key order): test/runtime/wire.test.ts, and every answer of
 * the table-driven runtime tests, check that byte for byte.
 */

/** Not encodable here: protobufjs takes over. */
class Unknown extends Error {}
const UNKNOWN = new Unknown('not a shape the runtime writes');

const LEN = 2;
const VARINT = 0;
/** The largest enum value written here: protobufjs writes enums as int32, the same varint up to this. */
const MAX_ENUM = 2 ** 31 - 1;
/** The scratch buffer is dropped after an answer that needed more than this. */
const SCRATCH_BYTES = 16 * 1024;

// one answer is encoded at a time (synchronously), into one scratch buffer
let buf = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
let pos = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  const next = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, pos + n));
  buf.copy(next, 0, 0, pos);
  buf = next;
}

const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function varint(n: number): void {
  ensure(5);
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
}

const present = (v: unknown) => v !== undefined && v !== null;

/**
 * A plain object (what the runtime builds) with no field but the given ones (a map: any key), so that
 * nothing inherited or unknown is lost.
 */
function message(v: unknown, fields: ReadonlySet<string> | 'map'): Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw UNKNOWN;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw UNKNOWN;
  const o = v as Record<string, unknown>;
  if (fields !== 'map') for (const k in o) if (o[k] !== undefined && !fields.has(k)) throw UNKNOWN;
  return o;
}

/** An ASCII string, one byte per character (header names, reasons); protobufjs writes any other. */
function string(no: number, v: unknown): void {
  if (typeof v !== 'string') throw UNKNOWN;
  varint((no << 3) | LEN);
  varint(v.length);
  ensure(v.length);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x80) throw UNKNOWN;
    buf[pos++] = c;
  }
}

function bytes(no: number, v: unknown): void {
  if (!(v instanceof Uint8Array)) throw UNKNOWN;
  varint((no << 3) | LEN);
  varint(v.length);
  ensure(v.length);
  buf.set(v, pos);
  pos += v.length;
}

function enumValue(no: number, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_ENUM) throw UNKNOWN;
  varint((no << 3) | VARINT);
  varint(v);
}

/** Opens a nested message: its length goes in front once its end is known. */
function open(no: number): number {
  varint((no << 3) | LEN);
  ensure(1);
  return pos++; // one byte reserved: most nested messages are shorter than 128 bytes
}

function close(at: number): void {
  const len = pos - at - 1;
  const extra = varintSize(len) - 1;
  if (extra > 0) {
    ensure(extra);
    buf.copyWithin(at + 1 + extra, at + 1, pos);
    pos += extra;
  }
  let p = at;
  let n = len;
  while (n >= 0x80) {
    buf[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[p] = n;
}

function list(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw UNKNOWN;
  return v;
}

// envoy.config.core.v3.HeaderValue {key = 1, value = 2, raw_value = 3}, HeaderValueOption {header = 1}
const HEADER_VALUE = new Set(['key', 'value', 'raw_value']);
const HEADER_VALUE_OPTION = new Set(['header']);
function headerValueOption(no: number, v: unknown): void {
  const o = message(v, HEADER_VALUE_OPTION);
  const at = open(no);
  if (present(o.header)) {
    const h = message(o.header, HEADER_VALUE);
    const inner = open(1);
    if (present(h.key)) string(1, h.key);
    if (present(h.value)) string(2, h.value);
    if (present(h.raw_value)) bytes(3, h.raw_value);
    close(inner);
  }
  close(at);
}

// envoy.service.ext_proc.v3.HeaderMutation {set_headers = 1, remove_headers = 2}
const HEADER_MUTATION = new Set(['set_headers', 'remove_headers']);
function headerMutation(no: number, v: unknown): void {
  const m = message(v, HEADER_MUTATION);
  const at = open(no);
  if (present(m.set_headers)) for (const o of list(m.set_headers)) headerValueOption(1, o);
  if (present(m.remove_headers)) for (const name of list(m.remove_headers)) string(2, name);
  close(at);
}

// HeadersResponse and BodyResponse {response = 1}, CommonResponse {header_mutation = 2}, TrailersResponse {header_mutation = 1}
const WITH_RESPONSE = new Set(['response']);
const COMMON_RESPONSE = new Set(['header_mutation']);
function headersOrBodyResponse(no: number, v: unknown): void {
  const r = message(v, WITH_RESPONSE);
  const at = open(no);
  if (present(r.response)) {
    const common = message(r.response, COMMON_RESPONSE);
    const inner = open(1);
    if (present(common.header_mutation)) headerMutation(2, common.header_mutation);
    close(inner);
  }
  close(at);
}
function trailersResponse(no: number, v: unknown): void {
  const r = message(v, COMMON_RESPONSE);
  const at = open(no);
  if (present(r.header_mutation)) headerMutation(1, r.header_mutation);
  close(at);
}

// ImmediateResponse {status = 1 (HttpStatus {code = 1}), headers = 2, body = 3, details = 5}
const IMMEDIATE = new Set(['status', 'headers', 'body', 'details']);
const HTTP_STATUS = new Set(['code']);
function immediateResponse(no: number, v: unknown): void {
  const r = message(v, IMMEDIATE);
  const at = open(no);
  if (present(r.status)) {
    const s = message(r.status, HTTP_STATUS);
    const inner = open(1);
    if (present(s.code)) enumValue(1, s.code);
    close(inner);
  }
  if (present(r.headers)) headerMutation(2, r.headers);
  if (present(r.body)) bytes(3, r.body);
  if (present(r.details)) string(5, r.details);
  close(at);
}

// google.protobuf.Struct {fields = 1: map<string, Value>}, Value {stringValue = 3, structValue = 5}
// (protobufjs keeps these two in camelCase); a map entry is a message {key = 1, value = 2}, both written
const STRUCT = new Set(['fields']);
const VALUE = new Set(['stringValue', 'structValue']);
function struct(no: number, v: unknown): void {
  const s = message(v, STRUCT);
  const at = open(no);
  if (present(s.fields)) {
    const fields = message(s.fields, 'map');
    for (const key of Object.keys(fields)) {
      const entry = open(1);
      string(1, key);
      const value = message(fields[key], VALUE);
      const inner = open(2);
      if (present(value.stringValue)) string(3, value.stringValue);
      if (present(value.structValue)) struct(5, value.structValue);
      close(inner);
      close(entry);
    }
  }
  close(at);
}

// envoy.service.ext_proc.v3.ProcessingResponse: the fields the runtime writes
const PROCESSING_RESPONSE = new Set([
  'request_headers',
  'response_headers',
  'request_body',
  'response_body',
  'request_trailers',
  'response_trailers',
  'immediate_response',
  'dynamic_metadata',
]);

/** An envoy.service.ext_proc.v3.ProcessingResponse as bytes, or undefined when protobufjs must encode it. */
export function encodeResponse(response: unknown): Buffer | undefined {
  pos = 0;
  try {
    const r = message(response, PROCESSING_RESPONSE);
    if (present(r.request_headers)) headersOrBodyResponse(1, r.request_headers);
    if (present(r.response_headers)) headersOrBodyResponse(2, r.response_headers);
    if (present(r.request_body)) headersOrBodyResponse(3, r.request_body);
    if (present(r.response_body)) headersOrBodyResponse(4, r.response_body);
    if (present(r.request_trailers)) trailersResponse(5, r.request_trailers);
    if (present(r.response_trailers)) trailersResponse(6, r.response_trailers);
    if (present(r.immediate_response)) immediateResponse(7, r.immediate_response);
    if (present(r.dynamic_metadata)) struct(8, r.dynamic_metadata);
  } catch (err) {
    if (err instanceof Unknown) return undefined;
    throw err;
  }
  const out = Buffer.allocUnsafe(pos);
  buf.copy(out, 0, 0, pos);
  if (buf.length > SCRATCH_BYTES) buf = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  return out;
}
