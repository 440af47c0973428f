import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { asBuffer } from './headers.js';

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
 * into message objects first, which costs a decision about as much as the encoding itself.
 * test/runtime/protos.test.ts holds it to the bytes of the copying encoder.
 */
export const encodeResponse = (response: object): Buffer => asBuffer(messages().response.encode(response).finish());

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
