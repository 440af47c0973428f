import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MutationBuilder } from '../../src/runtime/headers.js';
import type { ProcessingResponse } from '../../src/runtime/messages.js';
import { immediate, toStruct } from '../../src/runtime/processor.js';
import { encodeHeaderMutationAnswer, encodeResponse, encodeResponseLeniently, externalProcessorClient, externalProcessorService } from '../../src/runtime/protos.js';

// The server encodes its answers as built, without protobufjs's fromObject copy. These hold that to the
// copying encoder (proto-loader's way) on every shape of answer the runtime builds, and to the decoder.
const name = fc.stringMatching(/^[a-z0-9-]{1,24}$/);
// lengths past 127 and 16,383 bytes take two and three bytes of varint; keys and removals may be any UTF-8
const anyName = fc.oneof({ arbitrary: name, weight: 4 }, fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }));
const value = fc.oneof(
  { arbitrary: fc.string({ maxLength: 64 }), weight: 3 },
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 3 },
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer({ min: 16_000, max: 20_000 }).map((n) => Buffer.alloc(n, 0x61)),
);
const mutation = fc
  .record({ sets: fc.array(fc.tuple(anyName, value), { maxLength: 8 }), removes: fc.array(anyName, { maxLength: 8 }) })
  .map(({ sets, removes }) => {
    const m = new MutationBuilder();
    for (const r of removes) m.remove(r);
    for (const [k, v] of sets) m.set(k, v);
    return m.build();
  });
const metadata = fc.dictionary(name, fc.dictionary(name, fc.string({ maxLength: 32 }), { maxKeys: 4 }), { maxKeys: 3 });
const answer: fc.Arbitrary<ProcessingResponse> = fc.oneof(
  fc.record({ header_mutation: mutation, metadata }).map(({ header_mutation, metadata: md }) => ({
    request_headers: { response: { header_mutation } },
    ...(Object.keys(md).length > 0 && { dynamic_metadata: toStruct(md) }),
  })),
  mutation.map((header_mutation) => ({ request_body: { response: { header_mutation } } })),
  fc
    .record({ status: fc.constantFrom(401, 403, 500, 503), reason: name, headers: fc.dictionary(name, fc.string({ maxLength: 64 }), { maxKeys: 3 }) })
    .map(({ status, reason, headers }) => immediate(status, reason, headers)),
  fc.constantFrom<ProcessingResponse>({ request_headers: {} }, { request_trailers: {} }, { response_headers: {} }, { response_body: {} }, { response_trailers: {} }),
);

describe('the runtime answers encoding', () => {
  it('gives the bytes of the copying encoder for every shape of answer', () => {
    fc.assert(
      fc.property(answer, (res) => {
        expect(encodeResponse(res).equals(encodeResponseLeniently(res))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('writes a header mutation answer straight, and leaves every other answer to protobufjs', () => {
    fc.assert(
      fc.property(mutation, fc.constantFrom('request_headers', 'request_body'), (header_mutation, phase) => {
        const res = { [phase]: { response: { header_mutation } } } as ProcessingResponse;
        const direct = encodeHeaderMutationAnswer(res);
        expect(direct).toBeInstanceOf(Buffer);
        expect(direct!.equals(encodeResponseLeniently(res))).toBe(true);
      }),
      { numRuns: 300 },
    );
    const m = new MutationBuilder().set('x-user-id', 'alice').remove('x-api-key').build();
    const others: ProcessingResponse[] = [
      { request_headers: {} },
      { request_headers: { response: { header_mutation: m } }, dynamic_metadata: toStruct({ ns: { k: 'v' } }) },
      { request_headers: { response: { header_mutation: m, clear_route_cache: true } as never } },
      { request_headers: { response: { header_mutation: { ...m, extra: 1 } as never } } },
      { request_headers: { response: { header_mutation: { set_headers: [{ header: { key: 'a', raw_value: Buffer.from('b') }, append_action: 2 }] } as never } } },
      { request_headers: { response: { header_mutation: { set_headers: [{ header: { key: 'a', value: 'b' } }] } as never } } },
      { request_headers: { response: { header_mutation: { set_headers: [{ header: { key: 'a', raw_value: new Uint8Array([1]) } }] } as never } } },
      { response_headers: { response: { header_mutation: m } } } as never,
      immediate(401, 'no_credential'),
    ];
    for (const res of others) {
      expect(encodeHeaderMutationAnswer(res)).toBeUndefined();
      expect(encodeResponse(res).equals(encodeResponseLeniently(res))).toBe(true);
    }
  });

  it('decodes back to what was built: header bytes, removals, status, metadata', () => {
    const decode = externalProcessorService().Process!.responseDeserialize;
    fc.assert(
      fc.property(mutation, metadata, (header_mutation, md) => {
        const built: ProcessingResponse = { request_headers: { response: { header_mutation } }, dynamic_metadata: toStruct(md) };
        const got = decode(encodeResponse(built)) as ProcessingResponse;
        const sets = got.request_headers?.response?.header_mutation?.set_headers ?? [];
        expect(sets.map((o) => [o.header.key, Buffer.from(o.header.raw_value)])).toEqual(header_mutation.set_headers!.map((o) => [o.header.key, o.header.raw_value]));
        expect(got.request_headers?.response?.header_mutation?.remove_headers ?? []).toEqual(header_mutation.remove_headers);
        const fields = got.dynamic_metadata?.fields ?? {};
        expect(Object.fromEntries(Object.entries(fields).map(([ns, v]) => [ns, Object.fromEntries(Object.entries(v.structValue.fields ?? {}).map(([k, x]) => [k, x.stringValue]))]))).toEqual(md);
      }),
      { numRuns: 300 },
    );
    const denied = decode(encodeResponse(immediate(403, 'missing_role'))) as ProcessingResponse;
    expect(denied.immediate_response?.status).toEqual({ code: 'Forbidden' });
    expect(denied.immediate_response?.details).toBe('portcullis_missing_role');
  });

  it('serves and calls one service: the client is built from the same definition', () => {
    const server = externalProcessorService().Process!;
    const client = externalProcessorClient().service.Process!;
    expect(client.path).toBe('/envoy.service.ext_proc.v3.ExternalProcessor/Process');
    expect([client.path, client.requestStream, client.responseStream]).toEqual([server.path, server.requestStream, server.responseStream]);
    // what the client sends, the server reads back as sent
    const sent = { request_headers: { headers: { headers: [{ key: 'x-api-key', raw_value: Buffer.from('k') }] }, end_of_stream: true } };
    expect(server.requestDeserialize(client.requestSerialize(sent))).toEqual({ request: 'request_headers', ...sent });
  });
});
