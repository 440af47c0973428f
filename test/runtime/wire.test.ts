import { describe, expect, it } from 'vitest';
import { MutationBuilder } from '../../src/runtime/headers.js';
import { immediate, toStruct } from '../../src/runtime/processor.js';
import { externalProcessorService } from '../../src/runtime/protos.js';
import { encodeResponse } from '../../src/runtime/wire.js';
import { protobufjsBytes } from './fake.js';

const mutation = (build: (m: MutationBuilder) => void) => {
  const m = new MutationBuilder();
  build(m);
  return m.build();
};
const long = (n: number) => 'v'.repeat(n);

// every shape the runtime answers with, and the edges of the wire format (lengths over one and two varint bytes)
const ENCODED: [string, unknown][] = [
  ['an empty CONTINUE per phase', { request_headers: {} }],
  ['an empty body answer', { request_body: {} }],
  ['every empty phase answer at once', { response_headers: {}, response_body: {}, request_trailers: {}, response_trailers: {} }],
  [
    'an allow with headers set and removed',
    {
      request_headers: {
        response: {
          header_mutation: mutation((m) => m.remove('x-api-key').remove('x-user-id').set('x-user-id', 'client-42').set('x-user-roles', 'a,b').set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')),
        },
      },
    },
  ],
  ['an allow that only removes', { request_headers: { response: { header_mutation: mutation((m) => m.remove('authorization')) } } }],
  ['an empty mutation', { request_headers: { response: { header_mutation: { set_headers: [], remove_headers: [] } } } }],
  ['a signature in the body answer', { request_body: { response: { header_mutation: mutation((m) => m.set('authorization', 'AWS4-HMAC-SHA256 Credential=…')) } } }],
  ['header values of every byte', { request_headers: { response: { header_mutation: mutation((m) => m.set('x-bytes', Buffer.from(Array.from({ length: 256 }, (_, i) => i)))) } } }],
  ['values whose lengths take two and three varint bytes', { request_headers: { response: { header_mutation: mutation((m) => m.set('x-a', long(200)).set('x-b', long(20_000))) } } }],
  ['an empty value', { request_headers: { response: { header_mutation: mutation((m) => m.set('x-empty', '')) } } }],
  ['a deny', immediate(401, 'no_credential', { 'www-authenticate': 'Bearer realm="team/bot"' })],
  ['a deny with an empty body', { immediate_response: { status: { code: 403 }, details: 'portcullis_forbidden', body: Buffer.alloc(0) } }],
  [
    'an egress answer with dynamic metadata',
    {
      request_headers: { response: { header_mutation: mutation((m) => m.set('x-api-key', 'sk-1')) } },
      dynamic_metadata: toStruct({ 'io.portcullis.egress': { credential: 'sk-tenant', tenant: 'acme' }, 'other.ns': {} }),
    },
  ],
  ['fields out of number order', { dynamic_metadata: toStruct({ ns: { k: 'v' } }), request_headers: {} }],
  ['a header with value instead of raw_value', { request_headers: { response: { header_mutation: { set_headers: [{ header: { key: 'x-a', value: 'text' } }] } } } }],
  ['undefined fields', { request_headers: { response: undefined }, dynamic_metadata: undefined }],
];

// what encodeResponse leaves to protobufjs: conversions, fields it does not know, values of another type
const LEFT_TO_PROTOBUFJS: [string, unknown][] = [
  ['an enum by name', { request_headers: { response: { status: 'CONTINUE_AND_REPLACE' } } }],
  ['a field the runtime never writes', { request_headers: {}, mode_override: { request_body_mode: 'BUFFERED' } }],
  ['bytes given as base64 text', { request_headers: { response: { header_mutation: { set_headers: [{ header: { key: 'x-a', raw_value: 'AAEC' } }] } } } }],
  ['a number for a string', { immediate_response: { status: { code: 401 }, details: 42 } }],
  ['a string that is not ASCII', { immediate_response: { status: { code: 403 }, details: 'portcullis_déjà_vu ✓' } }],
  ['a lone surrogate', { request_headers: { response: { header_mutation: { remove_headers: ['x-\ud800'] } } } }],
  ['a status code by name', { immediate_response: { status: { code: 'Unauthorized' } } }],
  ['a class instance', { request_headers: new (class Headers {})() }],
];

describe('encodeResponse (the runtime answers as protobuf bytes)', () => {
  it.each(ENCODED)('writes %s exactly as protobufjs does', (_, response) => {
    const bytes = encodeResponse(response);
    expect(bytes).toBeDefined();
    expect(bytes!.equals(protobufjsBytes(response))).toBe(true);
  });

  it.each(LEFT_TO_PROTOBUFJS)('leaves %s to protobufjs', (_, response) => {
    expect(encodeResponse(response)).toBeUndefined();
    // and the service still encodes it, as protobufjs did before
    const serialize = externalProcessorService().Process!.responseSerialize;
    expect(Buffer.from(serialize(response)).equals(protobufjsBytes(response))).toBe(true);
  });

  it('is what the service serializes with', () => {
    const response = immediate(503, 'unknown_route');
    expect(Buffer.from(externalProcessorService().Process!.responseSerialize(response)).equals(encodeResponse(response)!)).toBe(true);
  });
});
