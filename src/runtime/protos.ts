import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { asBuffer } from './headers.js';
import type { HeaderMutation, ProcessingResponse } from './messages.js';

/**
 * The vendored Envoy protos (schemas/protos of the package), found from this module's directory upwards,
 * so that the same code works from src/ (tsx, vitest), from lib/ (the built package) and from any other
 * build directory inside the package.
 */
export function protosRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas', 'protos');
    if (existsSync(join(candidate, 'envoy', 'service', 'ext_proc', 'v3', 'external_processor.proto'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`the Envoy protos are missing: no schemas/protos above ${here}`);
  }
}

const SERVICE = 'envoy.service.ext_proc.v3.ExternalProcessor';
const FILE = 'envoy/service/ext_proc/v3/external_processor.proto';

/**
 * How received messages are handed over (protobufjs's toObject): proto field names (the root is loaded
 * with keepCase), enums as their names, 64-bit integers as strings, bytes as Buffers, unset fields left
 * out, and each oneof's name set to the field it holds (`request: 'request_headers'`).
 */
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: false, oneofs: true };

interface Messages {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
}
let loaded: Messages | undefined;

/** The ext_proc messages, loaded once from the vendored protos with protobufjs (proto field names kept). */
function messages(): Messages {
  if (loaded) return loaded;
  // google/protobuf/descriptor.proto (imported by the validation and udpa annotations) is not among
  // protobufjs's bundled well-known types; it ships as JSON beside them
  const require = createRequire(import.meta.url);
  const descriptor = require('protobufjs/google/protobuf/descriptor.json') as { nested: { google: { nested: { protobuf: { nested: protobuf.INamespace['nested'] } } } } };
  protobuf.common('descriptor', descriptor.nested.google.nested.protobuf.nested!);
  const includeDir = protosRoot();
  const root = new protobuf.Root();
  const fallback = root.resolvePath.bind(root);
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    const path = join(includeDir, target);
    try {
      accessSync(path, constants.R_OK);
      return path;
    } catch {
      return fallback(origin, target); // a bundled well-known type (google/protobuf/*)
    }
  };
  root.loadSync(FILE, { keepCase: true }).resolveAll();
  loaded = { request: root.lookupType('envoy.service.ext_proc.v3.ProcessingRequest'), response: root.lookupType('envoy.service.ext_proc.v3.ProcessingResponse') };
  return loaded;
}

/** Decodes one message into a plain object (see TO_OBJECT). */
const deserializer = (type: protobuf.Type) => (bytes: Buffer) => type.toObject(type.decode(bytes), TO_OBJECT);
/** Encodes a plain object of any shape fromObject accepts: copied into a message first (enum names, base64 bytes, …). */
const lenientSerializer = (type: protobuf.Type) => (object: object) => asBuffer(type.encode(type.fromObject(object)).finish());

/**
 * Encodes an object already in the message's own shape (proto field names, enums as numbers, bytes as
 * Buffers, google.protobuf.Struct with its camelCase fields), as the runtime builds its answers: no copy
 * into message objects first, which costs a decision about as much as the encoding itself. The answer
 * most decisions give, a header mutation and nothing else, is written straight into one buffer
 * (encodeHeaderMutationAnswer); every other answer goes through protobufjs. test/runtime/protos.test.ts
 * holds both to the bytes of the copying encoder.
 */
export const encodeResponse = (response: object): Buffer =>
  encodeHeaderMutationAnswer(response as ProcessingResponse) ?? asBuffer(messages().response.encode(response).finish());

const varintLength = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
/** A length-delimited field of `length` bytes: its tag (one byte for fields 1–15), its length, the bytes. */
const fieldLength = (length: number): number => 1 + varintLength(length) + length;

function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

/**
 * A string's UTF-8 length, and writing it: header names are ASCII, and for a few characters a loop is
 * cheaper than a call into node's C++ (Buffer.byteLength, buf.write); anything else goes to node.
 */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}
function writeUtf8(buf: Buffer, at: number, s: string, length: number): number {
  if (length !== s.length) return at + buf.write(s, at, length, 'utf8');
  for (let i = 0; i < length; i++) buf[at + i] = s.charCodeAt(i);
  return at + length;
}

// the sizes of one answer's parts, computed before it is written (answers are encoded one at a time)
const keyBytes: number[] = [];
const headerBytes: number[] = [];
const removeBytes: number[] = [];

/**
 * `{ request_headers | request_body: { response: { header_mutation: { set_headers, remove_headers } } } }`
 * and nothing more, each set a `{ header: { key, raw_value } }` (what MutationBuilder builds), written into
 * one buffer of the exact size: protobufjs's writer makes an object per field written, some 3 kB of
 * garbage per answer. The bytes are those protobufjs writes, field by field in field order (a field
 * present is written, empty or not). Undefined for any other answer.
 */
export function encodeHeaderMutationAnswer(res: ProcessingResponse): Buffer | undefined {
  const field = hasOnly(res, 'request_headers') ? 1 : hasOnly(res, 'request_body') ? 3 : 0;
  if (field === 0) return undefined;
  const phase = field === 1 ? res.request_headers : res.request_body;
  if (!hasOnly(phase, 'response')) return undefined;
  const common = phase.response;
  if (!hasOnly(common, 'header_mutation')) return undefined;
  const mutation = common.header_mutation;
  if (ownKeysAmong(mutation, 'set_headers', 'remove_headers') < 0) return undefined;
  const { set_headers: sets = [], remove_headers: removes = [] } = mutation as HeaderMutation;
  if (!Array.isArray(sets) || !Array.isArray(removes)) return undefined;

  let mutationLength = 0;
  for (let i = 0; i < sets.length; i++) {
    const option: unknown = sets[i];
    if (!hasOnly(option, 'header')) return undefined;
    const h = option.header;
    if (!hasOnly(h, 'key', 'raw_value') || typeof h.key !== 'string' || !Buffer.isBuffer(h.raw_value)) return undefined;
    const key = utf8Length(h.key);
    const header = fieldLength(key) + fieldLength(h.raw_value.length);
    keyBytes[i] = key;
    headerBytes[i] = header;
    mutationLength += fieldLength(fieldLength(header));
  }
  for (let i = 0; i < removes.length; i++) {
    const r: unknown = removes[i];
    if (typeof r !== 'string') return undefined;
    removeBytes[i] = utf8Length(r);
    mutationLength += fieldLength(removeBytes[i]!);
  }
  const commonLength = fieldLength(mutationLength);
  const phaseLength = fieldLength(commonLength);
  const buf = Buffer.allocUnsafe(fieldLength(phaseLength));
  buf[0] = (field << 3) | 2;
  let at = writeVarint(buf, 1, phaseLength);
  buf[at++] = 0x0a; // HeadersResponse/BodyResponse.response = 1
  at = writeVarint(buf, at, commonLength);
  buf[at++] = 0x12; // CommonResponse.header_mutation = 2
  at = writeVarint(buf, at, mutationLength);
  for (let i = 0; i < sets.length; i++) {
    const h = sets[i]!.header;
    const header = headerBytes[i]!;
    buf[at++] = 0x0a; // HeaderMutation.set_headers = 1
    at = writeVarint(buf, at, fieldLength(header));
    buf[at++] = 0x0a; // HeaderValueOption.header = 1
    at = writeVarint(buf, at, header);
    buf[at++] = 0x0a; // HeaderValue.key = 1
    at = writeVarint(buf, at, keyBytes[i]!);
    at = writeUtf8(buf, at, h.key, keyBytes[i]!);
    buf[at++] = 0x1a; // HeaderValue.raw_value = 3
    at = writeVarint(buf, at, h.raw_value.length);
    buf.set(h.raw_value, at);
    at += h.raw_value.length;
  }
  for (let i = 0; i < removes.length; i++) {
    buf[at++] = 0x12; // HeaderMutation.remove_headers = 2
    at = writeVarint(buf, at, removeBytes[i]!);
    at = writeUtf8(buf, at, removes[i]!, removeBytes[i]!);
  }
  // the buffer comes from node's pool unzeroed: a byte not written would send Envoy whatever was there
  // before. Sizes and writes agree (the tests hold them to protobufjs); should they not, the stream fails
  if (at !== buf.length) throw new Error(`header mutation answer: ${at} of ${buf.length} bytes written`);
  return buf;
}

/** How many own enumerable properties `o` has, each of them `a` or `b`; -1 when it has another, or is no object. */
function ownKeysAmong(o: unknown, a: string, b?: string): number {
  if (typeof o !== 'object' || o === null) return -1;
  let n = 0;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    if (k !== a && k !== b) return -1;
    n++;
  }
  return n;
}

/** An object whose own enumerable properties are exactly `a` and `b` (`a` alone when `b` is not given), each set. */
function hasOnly<A extends string, B extends string = A>(o: unknown, a: A, b?: B): o is { [P in A | B]: unknown } {
  const n = ownKeysAmong(o, a, b);
  const set = o as Record<string, unknown>;
  return b === undefined ? n === 1 && set[a] !== undefined : n === 2 && set[a] !== undefined && set[b] !== undefined;
}

/** For tests: an answer encoded the copying way, which encodeResponse must equal. */
export const encodeResponseLeniently = (response: object): Buffer => lenientSerializer(messages().response)(response);

function definition(responseSerialize: (response: object) => Buffer): grpc.ServiceDefinition {
  const { request, response } = messages();
  return {
    Process: {
      path: `/${SERVICE}/Process`,
      requestStream: true,
      responseStream: true,
      requestSerialize: lenientSerializer(request),
      requestDeserialize: deserializer(request),
      responseSerialize,
      responseDeserialize: deserializer(response),
      originalName: 'process',
    },
  };
}

/** The ExternalProcessor service as the runtime serves it: requests decoded as TO_OBJECT says, answers encoded by encodeResponse. */
export function externalProcessorService(): grpc.ServiceDefinition {
  return definition(encodeResponse);
}

/**
 * A client constructor for the same service (tests and the load generator): requests in any shape
 * fromObject accepts, answers decoded as the server decodes requests.
 */
export function externalProcessorClient(): grpc.ServiceClientConstructor {
  return grpc.makeGenericClientConstructor(definition(lenientSerializer(messages().response)), 'ExternalProcessor');
}
