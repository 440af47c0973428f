import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ProcessingRequest } from '../../src/runtime/messages.js';
import { RequestHeaders } from '../../src/runtime/headers.js';
import { ProtocolError } from '../../src/runtime/processor.js';
import { EXAMPLE_SECRETS, exampleContract, writeExampleSecrets } from './example-contract.js';
import { FakeStreams, snapshotOf } from './fake.js';
import { headersMessage, immediateHeader, mutationOf, routeName, statusOf, tempDir, writeSecret } from './helpers.js';

// Properties of the processor over generated requests: whatever a caller adds, in whatever case and how
// many times, no identity it claims and no credential it brings gets past the runtime. FUZZ_RUNS=N
// generates N requests for the example fleet's property instead of 400 (a longer hunt, by hand).
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

const NS = 'props';
const PLATFORM_KEY = 'sk-proj-PLATFORM-key';
const IDENTITY_HEADERS = ['x-user-id', 'x-tenant-id', 'x-user-roles', 'x-user-email', 'x-portcullis-agent'];
/** The credential headers an egress route removes or overwrites (the contract's default list). */
const CREDENTIALS = ['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'x-amz-security-token', 'x-aigw-api-key'];

let streams: FakeStreams;
beforeAll(() => {
  const root = tempDir();
  writeSecret(root, NS, 'keys', { alice: 'sk-alice-0001', bob: 'sk-bob-0002' });
  writeSecret(root, NS, 'openai', { 'api-key': PLATFORM_KEY });
  streams = new FakeStreams(
    snapshotOf({
      secretsRoot: root,
      agents: {
        [`${NS}/agent`]: { removeHeaders: IDENTITY_HEADERS, chain: [{ type: 'apiKey', secret: { namespace: NS, name: 'keys' } }] },
        // the other methods that copy what a request carries into identity headers
        [`${NS}/mtls`]: { removeHeaders: IDENTITY_HEADERS, chain: [{ type: 'mtls', identity: 'subject' }, { type: 'apiKey', secret: { namespace: NS, name: 'keys' } }] },
        [`${NS}/edge`]: {
          removeHeaders: IDENTITY_HEADERS,
          authorization: { mode: 'move', header: 'x-original-token' },
          chain: [{ type: 'edgeTrust', headers: { userId: 'x-edge-user', tenantId: 'x-edge-org', roles: 'x-edge-roles' }, trustedCidrs: ['10.40.0.0/16'] }],
        },
      },
      egress: {
        [`${NS}/openai`]: { provider: 'openai', inject: { header: 'authorization', format: 'Bearer {key}' }, key: { secret: { namespace: NS, name: 'openai' }, key: 'api-key' } },
        // the key goes into the path's query, next to what the agent put there
        [`${NS}/google`]: { provider: 'google', inject: { queryParam: 'key' }, key: { secret: { namespace: NS, name: 'openai' }, key: 'api-key' } },
      },
    }),
  );
});

/** The name in any mix of upper and lower case, as a client may send it over HTTP/1. */
const anyCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
/** A header value no verified identity or configured key equals. */
const value = fc.stringMatching(/^[A-Za-z0-9._~-]{1,24}$/).filter((v) => !['alice', 'bob', PLATFORM_KEY].includes(v));
/** Headers as sent, each one possibly several times. */
const sent = (names: readonly string[]) =>
  fc.array(fc.tuple(fc.constantFrom(...names).chain(anyCase), value), { minLength: 1, maxLength: 8 });

/** A request headers message on a route with extra headers appended exactly as given (repeats and case kept). */
function request(route: string, base: Record<string, string>, extra: [string, string][], source?: string): ProcessingRequest {
  const m = headersMessage(base, routeName(route.includes('/') ? route : `${NS}/${route}`), source === undefined ? {} : { source });
  const list = m.request_headers!.headers!.headers!;
  // a pseudo-header given in `extra` replaces the default one (Envoy sends each once)
  const pseudo = new Set(extra.map(([key]) => key).filter((k) => k.startsWith(':')));
  m.request_headers!.headers!.headers = [...list.filter((h) => !pseudo.has(h.key)), ...extra.map(([key, v]) => ({ key, raw_value: Buffer.from(v, 'latin1') }))];
  return m;
}

describe('the processor over generated requests', () => {
  it('lets no claimed identity through next to a valid key: each is removed or replaced by the verified one', async () => {
    const claimed = sent([...IDENTITY_HEADERS, 'x-claim-groups', 'x-claim-tenant']);
    await fc.assert(
      fc.asyncProperty(claimed, async (extra) => {
        const res = await streams.one(request('agent', { 'x-api-key': 'sk-alice-0001' }, extra));
        expect(statusOf(res)).toBe('continue');
        const m = mutationOf(res);
        expect(m.set['x-user-id']).toBe('alice');
        for (const [name] of extra) {
          const h = name.toLowerCase();
          expect(h in m.set || m.remove.includes(h), `${name} stays as the caller sent it`).toBe(true);
        }
        const claimedValues = new Set(extra.map(([, v]) => v));
        for (const v of Object.values(m.set)) expect(claimedValues.has(v)).toBe(false);
        expect(m.remove).toContain('x-api-key');
      }),
      { numRuns: 200 },
    );
  });

  it('reads the key header in any case, once; sent twice in any cases, it is refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyCase('x-api-key'), { minLength: 1, maxLength: 4 }), fc.constantFrom('sk-alice-0001', 'sk-bob-0002'), async (names, key) => {
        const res = await streams.one(request('agent', {}, names.map((n) => [n, key])));
        if (names.length === 1) {
          expect(statusOf(res)).toBe('continue');
          expect(mutationOf(res).set['x-user-id']).toBe(key === 'sk-alice-0001' ? 'alice' : 'bob');
        } else {
          expect(statusOf(res)).toBe(401);
          expect(res.immediate_response?.details).toBe('portcullis_duplicate_credential_header');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('sends the provider only the platform key: every credential the agent brings is removed or overwritten', async () => {
    await fc.assert(
      fc.asyncProperty(sent(CREDENTIALS), async (extra) => {
        const res = await streams.one(request('openai', {}, extra));
        expect(statusOf(res)).toBe('continue');
        const m = mutationOf(res);
        expect(m.set).toEqual({ authorization: `Bearer ${PLATFORM_KEY}` });
        for (const [name] of extra) {
          const h = name.toLowerCase();
          if (h !== 'authorization') expect(m.remove, `${name} reaches the provider`).toContain(h);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('the example fleet\'s runtime over generated requests', () => {
  let example: FakeStreams;
  let routes: string[];
  beforeAll(() => {
    const contract = exampleContract();
    contract.secretsRoot = join(tempDir(), 'secrets');
    writeExampleSecrets(contract.secretsRoot);
    // the corporate IdP is out of reach here: a key fetch is refused at once rather than timing out
    for (const agent of Object.values<any>(contract.agents)) for (const m of agent.chain) if (m.type === 'oidc') m.jwksUri = 'http://127.0.0.1:1/keys';
    const { apiVersion: _, ...config } = contract;
    example = new FakeStreams(snapshotOf(config));
    routes = [...Object.keys(contract.agents), ...Object.keys(contract.egress), ...contract.passthroughRoutes];
  });

  /** Any bytes at all, control characters and invalid UTF-8 included. */
  const bytes = fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString('latin1'));
  const NAMES = ['authorization', 'x-api-key', 'x-edge-user', 'x-edge-org', 'x-edge-proof', 'x-user-id', 'x-tenant-id', 'x-forwarded-client-cert', 'traceparent', 'x-request-id', 'cookie', ':path'];
  const header = fc.tuple(fc.constantFrom(...NAMES).chain(anyCase), fc.oneof(value, bytes));

  /** The requests of a target: a route, maybe a valid credential, any headers, maybe a trusted source. */
  const requests = (routes: readonly string[], credentials: [string, string][][]) =>
    fc.tuple(fc.constantFrom(...routes), fc.constantFrom(...credentials), fc.array(header, { maxLength: 8 }), fc.option(fc.constantFrom('10.40.3.4:5000', '192.0.2.1:80')));
  const targets = () => [
    { name: 'the example fleet', streams: example, routes, credentials: [[], [['x-api-key', EXAMPLE_SECRETS.researchKey]], [['x-edge-proof', EXAMPLE_SECRETS.edgeProof]]] as [string, string][][] },
    { name: 'every method and injection', streams, routes: ['agent', 'mtls', 'edge', 'openai', 'google'], credentials: [[], [['x-api-key', 'sk-alice-0001']]] as [string, string][][] },
  ];

  it.each([0, 1])('answers any sequence of messages, or ends the stream for a broken protocol, nothing else (target %i)', async (i) => {
    const t = targets()[i]!;
    const phase = fc.constantFrom('request_headers', 'request_body', 'request_trailers', 'response_headers', 'response_body', 'response_trailers', 'none');
    const message = fc.record({ phase, headers: fc.array(header, { maxLength: 4 }), body: fc.uint8Array({ maxLength: 64 }), end: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...t.routes), fc.array(message, { minLength: 1, maxLength: 4 }), async (route, messages) => {
        const headers = request(route, {}, []).request_headers!.headers!;
        const sent = messages.map(({ phase: p, headers: extra, body, end }): ProcessingRequest => {
          const list = [...headers.headers!, ...extra.map(([key, v]) => ({ key, raw_value: Buffer.from(v, 'latin1') }))];
          if (p === 'request_headers') return { ...request(route, {}, []), request_headers: { headers: { headers: list }, end_of_stream: end } };
          if (p === 'request_body' || p === 'response_body') return { [p]: { body: Buffer.from(body), end_of_stream: end } } as ProcessingRequest;
          if (p === 'request_trailers' || p === 'response_trailers') return { [p]: { trailers: { headers: list } } } as ProcessingRequest;
          if (p === 'response_headers') return { response_headers: { headers: { headers: list } } };
          return {};
        });
        try {
          for (const res of await t.streams.run(...sent)) expect(statusOf(res) === 'continue' || [400, 401, 403, 500, 503].includes(statusOf(res) as number)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each([0, 1])('answers every request, allowing with header-safe values only, and never passes an API key on (target %i)', async (i) => {
    const t = targets()[i]!;
    await fc.assert(
      fc.asyncProperty(requests(t.routes, t.credentials), async ([route, cred, extra, source]) => {
        const res = await t.streams.one(request(route, {}, [...cred, ...extra], source ?? undefined));
        const status = statusOf(res);
        expect(['continue', 400, 401, 403, 503]).toContain(status);
        const keys = [...cred, ...extra].filter(([n, v]) => n.toLowerCase() === 'x-api-key' && v.length >= 8).map(([, v]) => v);
        if (status === 'continue') {
          for (const [k, v] of Object.entries(mutationOf(res).set)) {
            expect(v, `${k} is not header-safe`).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f]/);
            for (const key of keys) expect(v, `the API key reaches ${k}`).not.toContain(key);
          }
        } else {
          const body = res.immediate_response?.body?.toString('latin1') ?? '';
          for (const key of keys) expect(body + (immediateHeader(res, 'www-authenticate') ?? '')).not.toContain(key);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the request headers of a message', () => {
  it('reads every name as a map by lowercase name would, with 1 header or 100, names repeated in any case', () => {
    // few distinct names, so that they repeat; lists long enough to pass the point where lookups go through an index
    const header = fc.record({ key: fc.constantFrom('a', 'B', 'x-api-key', 'X-Api-Key', 'authorization', 'c'), n: fc.nat(60) });
    fc.assert(
      fc.property(fc.oneof(fc.array(header, { maxLength: 12 }), fc.array(header, { minLength: 40, maxLength: 100, size: 'max' })), (list) => {
        const sent = list.map(({ key, n }) => ({ key: `${key}${n === 0 ? '' : `-${n}`}`, raw_value: Buffer.from(`v${n}`) }));
        const headers = new RequestHeaders({ headers: sent });
        const model = new Map<string, Buffer[]>();
        for (const h of sent) model.set(h.key.toLowerCase(), [...(model.get(h.key.toLowerCase()) ?? []), h.raw_value]);
        expect([...headers.names()]).toEqual([...model.keys()]);
        for (const [name, values] of model) {
          expect(headers.has(name)).toBe(true);
          expect(headers.count(name)).toBe(values.length);
          expect(headers.raw(name)).toEqual(values[0]);
        }
        for (const absent of ['x-user-id', 'A', 'b-61']) {
          expect(headers.has(absent)).toBe(false);
          expect(headers.count(absent)).toBe(0);
          expect(headers.raw(absent)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});
