import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeStreams, snapshotOf } from './fake.js';
import { headersMessage, immediateHeader, mutationOf, routeName, statusOf, tempDir, writeSecret, type Headers } from './helpers.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const NS = 'team-a';
const KEYS = { namespace: NS, name: 'caller-keys' };
const HASHED = { namespace: NS, name: 'hashed-keys' };
const SHARED = { namespace: NS, name: 'shared-token' };
const PROOF = { namespace: NS, name: 'edge-proof' };

const XFCC_OK =
  'By=spiffe://cluster.local/ns/gw/sa/envoy;Hash=abc123;Subject="CN=payments,OU=svc,O=Acme\\, Inc.";URI=spiffe://acme.example/ns/pay/sa/payments;DNS=payments.acme.example;DNS=pay.acme.example';

let streams: FakeStreams;
let root: string;
const past = new Date(Date.now() - 86_400_000).toISOString();
const future = new Date(Date.now() + 86_400_000).toISOString();

beforeAll(() => {
  root = tempDir();
  writeSecret(root, NS, 'caller-keys', { alice: 'sk-alice-0001\n', bob: 'sk-bob-0002' });
  writeSecret(root, NS, 'hashed-keys', {
    carol: JSON.stringify({ sha256: sha('hk-carol'), roles: ['admin', 'agent-user'], scopes: ['invoke'], tenant: 'acme', expiresAt: future }),
    dave: JSON.stringify({ sha256: sha('hk-dave'), roles: ['reader'], expiresAt: future }),
    erin: JSON.stringify({ sha256: sha('hk-erin'), roles: ['agent-user'], expiresAt: past }),
    frank: JSON.stringify({ sha256: sha('hk-frank').toUpperCase(), roles: ['agent-user'], scopes: ['read'] }),
  });
  writeSecret(root, NS, 'shared-token', { current: 'tok-new-2', previous: 'tok-old-1' });
  writeSecret(root, NS, 'edge-proof', { proof: 'edge-proof-value' });
  const identity = { removeHeaders: ['x-user-id', 'x-tenant-id', 'x-user-roles', 'x-user-email', 'x-portcullis-agent'] };
  streams = new FakeStreams(
    snapshotOf({
      secretsRoot: root,
      maxCredentialBytes: 1024,
      agents: {
        // any-of: API key, then shared bearer token on Authorization, then hashed keys on x-service-key
        [`${NS}/any-of`]: {
          ...identity,
          chain: [
            { type: 'apiKey', secret: KEYS },
            { type: 'bearer', secret: SHARED, clientId: 'legacy-batch' },
            { type: 'apiKey', header: 'x-service-key', hashed: true, secret: HASHED },
          ],
        },
        [`${NS}/hashed`]: { ...identity, chain: [{ type: 'apiKey', hashed: true, secret: HASHED }], require: { roles: ['agent-user', 'admin'] } },
        [`${NS}/scoped`]: { ...identity, chain: [{ type: 'apiKey', hashed: true, secret: HASHED }], require: { scopes: ['invoke'] } },
        [`${NS}/key-in-authz`]: { ...identity, chain: [{ type: 'apiKey', header: 'authorization', secret: KEYS }] },
        [`${NS}/edge-cidr`]: {
          ...identity,
          chain: [{ type: 'edgeTrust', headers: { userId: 'x-edge-user', tenantId: 'x-edge-tenant', roles: 'x-edge-roles' }, trustedCidrs: ['10.20.0.0/16', 'fd00:1::/32'] }],
        },
        [`${NS}/edge-proof`]: {
          ...identity,
          chain: [{ type: 'edgeTrust', headers: { userId: 'x-edge-user' }, proofSecret: PROOF }, { type: 'apiKey', secret: KEYS }],
        },
        [`${NS}/passthrough`]: { ...identity, authorization: { mode: 'passthrough' }, chain: [{ type: 'bearer', secret: SHARED, clientId: 'svc' }] },
        [`${NS}/move`]: {
          ...identity,
          authorization: { mode: 'move', header: 'x-original-token' },
          chain: [{ type: 'bearer', secret: SHARED, clientId: 'svc' }],
        },
        [`${NS}/move-key`]: { ...identity, authorization: { mode: 'move', header: 'x-original-token' }, chain: [{ type: 'apiKey', secret: KEYS }] },
        [`${NS}/mtls-uri`]: { ...identity, chain: [{ type: 'mtls', identity: 'uriSan' }] },
        [`${NS}/mtls-dns`]: { ...identity, chain: [{ type: 'mtls', identity: 'dnsSan' }] },
        [`${NS}/mtls-subject`]: { ...identity, chain: [{ type: 'mtls', identity: 'subject' }, { type: 'apiKey', secret: KEYS }] },
        [`${NS}/override`]: {
          ...identity,
          identityHeaders: { userId: 'x-caller', tenantId: 'x-org', roles: 'x-caller-roles', email: 'x-caller-email', claimPrefix: 'x-c-' },
          chain: [{ type: 'apiKey', secret: KEYS, identityHeaders: { userId: 'x-client-id' } }],
        },
      },
      passthroughRoutes: [`${NS}/public-health`],
    }),
  );
});

const req = (agent: string, headers: Headers, source?: string) => headersMessage(headers, routeName(`${NS}/${agent}`), source ? { source } : {});

type Case = {
  name: string;
  agent: string;
  headers: Headers;
  source?: string;
  status: number | 'continue';
  reason?: string;
  set?: Record<string, string>;
  unset?: string[];
  removed?: string[];
};

const cases: Case[] = [
  // the any-of chain
  { name: 'accepts a plain API key (trailing newline of the Secret file ignored)', agent: 'any-of', headers: { 'x-api-key': 'sk-alice-0001' }, status: 'continue', set: { 'x-user-id': 'alice' }, removed: ['x-api-key'] },
  { name: 'falls through to the shared bearer token when no API key is sent', agent: 'any-of', headers: { authorization: 'Bearer tok-new-2' }, status: 'continue', set: { 'x-user-id': 'legacy-batch' }, removed: ['authorization'] },
  { name: 'accepts the previous bearer token during rotation', agent: 'any-of', headers: { authorization: 'bearer tok-old-1' }, status: 'continue', set: { 'x-user-id': 'legacy-batch' } },
  { name: 'falls through to the hashed key on its own header', agent: 'any-of', headers: { 'x-service-key': 'hk-carol' }, status: 'continue', set: { 'x-user-id': 'carol', 'x-tenant-id': 'acme', 'x-user-roles': 'admin,agent-user' } },
  { name: 'stops at an invalid API key even if a valid bearer token follows', agent: 'any-of', headers: { 'x-api-key': 'sk-wrong', authorization: 'Bearer tok-new-2' }, status: 401, reason: 'unknown_api_key' },
  { name: 'stops at an invalid bearer token', agent: 'any-of', headers: { authorization: 'Bearer nope' }, status: 401, reason: 'invalid_bearer_token' },
  { name: 'answers 401 with WWW-Authenticate when no credential at all', agent: 'any-of', headers: {}, status: 401, reason: 'no_credential' },
  { name: 'ignores another Authorization scheme (falls through, then 401)', agent: 'any-of', headers: { authorization: 'Basic YTpi' }, status: 401, reason: 'no_credential' },
  // hashed keys: expiry, roles, scopes
  { name: 'hashed key: refuses an expired key', agent: 'hashed', headers: { 'x-api-key': 'hk-erin' }, status: 401, reason: 'api_key_expired' },
  { name: 'hashed key: 403 without a required role', agent: 'hashed', headers: { 'x-api-key': 'hk-dave' }, status: 403, reason: 'missing_role' },
  { name: 'hashed key: accepts a role listed in require', agent: 'hashed', headers: { 'x-api-key': 'hk-frank' }, status: 'continue', set: { 'x-user-id': 'frank', 'x-user-roles': 'agent-user' } },
  { name: 'hashed key: 403 without a required scope', agent: 'scoped', headers: { 'x-api-key': 'hk-frank' }, status: 403, reason: 'missing_scope' },
  { name: 'hashed key: accepts the required scope', agent: 'scoped', headers: { 'x-api-key': 'hk-carol' }, status: 'continue', set: { 'x-user-id': 'carol' } },
  { name: 'hashed key: the hash itself is not a key', agent: 'hashed', headers: { 'x-api-key': sha('hk-frank') }, status: 401, reason: 'unknown_api_key' },
  // API key in Authorization
  { name: 'API key in Authorization: Bearer scheme stripped', agent: 'key-in-authz', headers: { authorization: 'Bearer sk-bob-0002' }, status: 'continue', set: { 'x-user-id': 'bob' }, removed: ['authorization'] },
  { name: 'API key in Authorization: raw key without scheme is not a credential', agent: 'key-in-authz', headers: { authorization: 'sk-bob-0002' }, status: 401, reason: 'no_credential' },
  // spoofing and header abuse
  {
    name: 'spoofed identity headers are replaced or removed',
    agent: 'any-of',
    headers: { 'x-api-key': 'sk-alice-0001', 'x-user-id': 'admin', 'x-tenant-id': 'other', 'x-user-roles': 'admin', 'x-claim-groups': 'root', 'x-portcullis-agent': 'x/y' },
    status: 'continue',
    set: { 'x-user-id': 'alice' },
    removed: ['x-tenant-id', 'x-user-roles', 'x-claim-groups', 'x-portcullis-agent'],
    unset: ['x-tenant-id', 'x-user-roles'],
  },
  { name: 'a duplicated API key header is refused', agent: 'any-of', headers: { 'x-api-key': ['sk-alice-0001', 'sk-bob-0002'] }, status: 401, reason: 'duplicate_credential_header' },
  { name: 'mixed-case duplicates count as duplicates', agent: 'any-of', headers: { 'X-Api-Key': 'sk-alice-0001', 'x-API-key': 'sk-bob-0002' }, status: 401, reason: 'duplicate_credential_header' },
  { name: 'a mixed-case credential header is read', agent: 'any-of', headers: { 'X-API-KEY': 'sk-bob-0002' }, status: 'continue', set: { 'x-user-id': 'bob' } },
  { name: 'duplicated Authorization is refused', agent: 'any-of', headers: { authorization: ['Bearer tok-new-2', 'Bearer tok-old-1'] }, status: 401, reason: 'duplicate_credential_header' },
  { name: 'an oversized credential header is refused unparsed', agent: 'any-of', headers: { 'x-api-key': 'k'.repeat(5000) }, status: 401, reason: 'credential_too_large' },
  { name: 'an oversized Authorization is refused unparsed', agent: 'any-of', headers: { authorization: `Bearer ${'a'.repeat(5000)}` }, status: 401, reason: 'credential_too_large' },
  // edge-trust
  {
    name: 'edge-trust: trusted source',
    agent: 'edge-cidr',
    source: '10.20.3.4:51234',
    headers: { 'x-edge-user': 'u-42', 'x-edge-tenant': 'acme', 'x-edge-roles': 'reader, writer' },
    status: 'continue',
    set: { 'x-user-id': 'u-42', 'x-tenant-id': 'acme', 'x-user-roles': 'reader,writer' },
    removed: ['x-edge-user', 'x-edge-tenant', 'x-edge-roles'],
  },
  { name: 'edge-trust: trusted IPv6 source', agent: 'edge-cidr', source: '[fd00:1::7]:443', headers: { 'x-edge-user': 'u-6' }, status: 'continue', set: { 'x-user-id': 'u-6' } },
  { name: 'edge-trust: untrusted source is refused', agent: 'edge-cidr', source: '192.168.1.9:40000', headers: { 'x-edge-user': 'u-42' }, status: 401, reason: 'edge_source_untrusted' },
  { name: 'edge-trust: no source address is refused', agent: 'edge-cidr', headers: { 'x-edge-user': 'u-42' }, status: 401, reason: 'edge_source_unknown' },
  { name: 'edge-trust: IPv4-mapped IPv6 source matches the IPv4 CIDR', agent: 'edge-cidr', source: '[::ffff:10.20.0.1]:1', headers: { 'x-edge-user': 'u-1' }, status: 'continue' },
  { name: 'edge-trust: proof header accepted', agent: 'edge-proof', headers: { 'x-edge-user': 'u-7', 'x-edge-proof': 'edge-proof-value' }, status: 'continue', set: { 'x-user-id': 'u-7' }, removed: ['x-edge-user', 'x-edge-proof'] },
  { name: 'edge-trust: wrong proof refused', agent: 'edge-proof', headers: { 'x-edge-user': 'u-7', 'x-edge-proof': 'guess' }, status: 401, reason: 'edge_proof_invalid' },
  { name: 'edge-trust: missing proof refused', agent: 'edge-proof', headers: { 'x-edge-user': 'u-7', 'x-api-key': 'sk-bob-0002' }, status: 401, reason: 'edge_proof_missing' },
  { name: 'edge-trust: no edge headers falls through to the API key, which removes stray proof headers', agent: 'edge-proof', headers: { 'x-api-key': 'sk-bob-0002', 'x-edge-proof': 'x' }, status: 'continue', set: { 'x-user-id': 'bob' }, removed: ['x-edge-proof'] },
  // Authorization modes
  { name: 'passthrough keeps Authorization', agent: 'passthrough', headers: { authorization: 'Bearer tok-new-2' }, status: 'continue', set: { 'x-user-id': 'svc' }, unset: ['authorization'] },
  { name: 'move copies Authorization to the named header and removes it', agent: 'move', headers: { authorization: 'Bearer tok-new-2', 'x-original-token': 'spoofed' }, status: 'continue', set: { 'x-original-token': 'Bearer tok-new-2' }, removed: ['authorization'] },
  { name: 'move with no Authorization sets nothing in its place', agent: 'move-key', headers: { 'x-api-key': 'sk-bob-0002', 'x-original-token': 'spoofed' }, status: 'continue', unset: ['x-original-token'], removed: ['x-original-token'] },
  { name: 'move refuses an Authorization with a control character (400)', agent: 'move-key', headers: { 'x-api-key': 'sk-bob-0002', authorization: 'Bearer a\u0000b' }, status: 400, reason: 'authorization_not_movable' },
  { name: 'move refuses two Authorization headers (400)', agent: 'move-key', headers: { 'x-api-key': 'sk-bob-0002', authorization: ['Bearer a', 'Bearer b'] }, status: 400, reason: 'authorization_not_movable' },
  // mTLS from x-forwarded-client-cert
  { name: 'mtls: URI SAN', agent: 'mtls-uri', headers: { 'x-forwarded-client-cert': XFCC_OK }, status: 'continue', set: { 'x-user-id': 'spiffe://acme.example/ns/pay/sa/payments' } },
  { name: 'mtls: first DNS SAN', agent: 'mtls-dns', headers: { 'x-forwarded-client-cert': XFCC_OK }, status: 'continue', set: { 'x-user-id': 'payments.acme.example' } },
  { name: 'mtls: quoted subject with an escaped comma', agent: 'mtls-subject', headers: { 'x-forwarded-client-cert': XFCC_OK }, status: 'continue', set: { 'x-user-id': 'CN=payments,OU=svc,O=Acme, Inc.' } },
  {
    name: 'mtls: the last element (Envoy’s own) wins over an earlier one',
    agent: 'mtls-uri',
    headers: { 'x-forwarded-client-cert': `URI=spiffe://evil/admin;Hash=1,${XFCC_OK}` },
    status: 'continue',
    set: { 'x-user-id': 'spiffe://acme.example/ns/pay/sa/payments' },
  },
  { name: 'mtls: no certificate field of the kind is refused', agent: 'mtls-uri', headers: { 'x-forwarded-client-cert': 'Hash=abc;DNS=a.example' }, status: 401, reason: 'client_certificate_without_uriSan' },
  { name: 'mtls: malformed XFCC refused', agent: 'mtls-uri', headers: { 'x-forwarded-client-cert': 'Subject="unterminated' }, status: 401, reason: 'xfcc_malformed' },
  { name: 'mtls: no XFCC falls through to the API key', agent: 'mtls-subject', headers: { 'x-api-key': 'sk-bob-0002' }, status: 'continue', set: { 'x-user-id': 'bob' } },
  // header name overrides
  { name: 'identity header names: agent names and a per-method override', agent: 'override', headers: { 'x-api-key': 'sk-bob-0002', 'x-c-foo': 'spoof', 'x-caller': 'spoof' }, status: 'continue', set: { 'x-client-id': 'bob' }, removed: ['x-c-foo', 'x-caller'] },
];

describe('inbound processor (fake stream)', () => {
  it.each(cases)('$name', async (c) => {
    const res = await streams.one(req(c.agent, c.headers, c.source));
    expect(statusOf(res)).toBe(c.status);
    if (c.reason) expect(res.immediate_response?.details).toBe(`portcullis_${c.reason}`);
    if (c.status === 'continue') {
      const m = mutationOf(res);
      expect(m.set).toMatchObject(c.set ?? {});
      for (const h of c.removed ?? []) expect(m.remove).toContain(h);
      for (const h of c.unset ?? []) expect(m.set[h]).toBeUndefined();
      expect(m.remove.filter((h) => h in m.set)).toEqual([]);
      // Envoy reads raw_value only and overwrites when append is unset
      for (const o of m.raw as { header: { value?: string; raw_value: Buffer }; append?: unknown; append_action?: unknown }[]) {
        expect(o.header.value).toBeUndefined();
        expect(o.append).toBeUndefined();
        expect(o.append_action).toBeUndefined();
      }
    }
  });

  it('answers 401 with a WWW-Authenticate naming every scheme of the chain', async () => {
    const res = await streams.one(req('any-of', {}));
    expect(immediateHeader(res, 'www-authenticate')).toBe(`ApiKey header="x-api-key", Bearer realm="${NS}/any-of", ApiKey header="x-service-key"`);
    expect(Buffer.from(res.immediate_response!.body!).toString()).toBe('{"error":"unauthorized"}\n');
    const invalid = await streams.one(req('any-of', { authorization: 'Bearer nope' }));
    expect(immediateHeader(invalid, 'www-authenticate')).toContain('error="invalid_token"');
  });

  it('answers 403 for a missing scope with an insufficient_scope challenge', async () => {
    const res = await streams.one(req('scoped', { 'x-api-key': 'hk-frank' }));
    expect(immediateHeader(res, 'www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('adds x-request-id and traceparent only when absent or invalid', async () => {
    const fresh = mutationOf(await streams.one(req('any-of', { 'x-api-key': 'sk-bob-0002' })));
    expect(fresh.set['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.set.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const kept = mutationOf(await streams.one(req('any-of', { 'x-api-key': 'sk-bob-0002', 'x-request-id': 'abc', traceparent: tp })));
    expect(kept.set['x-request-id']).toBeUndefined();
    expect(kept.set.traceparent).toBeUndefined();
    const bad = mutationOf(await streams.one(req('any-of', { 'x-api-key': 'sk-bob-0002', traceparent: '00-0000-zz', 'x-request-id': '' })));
    expect(bad.set.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(bad.set['x-request-id'], 'an empty x-request-id is none').toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an unknown route (fail closed) and lets a declared passthrough route through untouched', async () => {
    const unknown = await streams.one(headersMessage({ 'x-api-key': 'sk-bob-0002' }, routeName('team-b/other')));
    expect(statusOf(unknown)).toBe(503);
    expect(unknown.immediate_response?.details).toBe('portcullis_unknown_route');
    const none = await streams.one(headersMessage({}, undefined));
    expect(none.immediate_response?.details).toBe('portcullis_no_route_attribute');
    const notEg = await streams.one(headersMessage({}, 'some-other-route-name'));
    expect(statusOf(notEg)).toBe(503);
    const pass = await streams.one(headersMessage({ 'x-user-id': 'whoever' }, routeName(`${NS}/public-health`)));
    expect(pass).toEqual({ request_headers: {} });
  });

  it('answers the phases it has nothing to do with by an empty CONTINUE', async () => {
    const [h, body, trailers] = await streams.run(
      req('any-of', { 'x-api-key': 'sk-bob-0002' }),
      { request_body: { body: Buffer.from('{}'), end_of_stream: true } } as never,
      { request_trailers: {} } as never,
    );
    expect(statusOf(h)).toBe('continue');
    expect(body).toEqual({ request_body: {} });
    expect(trailers).toEqual({ request_trailers: {} });
  });

  it('fails a stream that breaks the protocol', async () => {
    await expect(streams.run({} as never)).rejects.toThrow(/without any of/);
    await expect(streams.run(req('any-of', { 'x-api-key': 'sk-bob-0002' }), req('any-of', {}))).rejects.toThrow(/twice/);
  });

  it('counts decisions by phase, result and reason', async () => {
    await streams.one(req('hashed', { 'x-api-key': 'hk-dave' }));
    const text = await streams.metrics.registry.metrics();
    expect(text).toMatch(/portcullis_runtime_decisions_total\{phase="inbound",result="deny",reason="missing_role"\} \d+/);
    expect(text).toMatch(/portcullis_runtime_decisions_total\{phase="inbound",result="allow",reason="apiKey"\} \d+/);
    expect(text).toContain('portcullis_runtime_decision_duration_seconds_bucket');
  });

  it('never logs a credential, even at debug level', () => {
    const logs = streams.logs.text();
    expect(streams.logs.lines.length).toBeGreaterThan(20);
    for (const secret of ['sk-alice-0001', 'sk-bob-0002', 'hk-carol', 'hk-frank', 'tok-new-2', 'tok-old-1', 'edge-proof-value', 'YTpi']) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).toContain('[REDACTED]');
  });
});

describe('snapshot building', () => {
  it('fails when two clients share a key, naming the secret', () => {
    const dir = tempDir();
    writeSecret(dir, NS, 'dup', { a: 'same', b: 'same' });
    expect(() => snapshotOf({ secretsRoot: dir, agents: { [`${NS}/x`]: { chain: [{ type: 'apiKey', secret: { namespace: NS, name: 'dup' } }] } } })).toThrow(
      /team-a\/dup: clients a and b have the same key/,
    );
  });

  it('fails on a malformed hashed key, naming the client', () => {
    const dir = tempDir();
    writeSecret(dir, NS, 'bad', { zed: '{"sha256":"nothex"}' });
    expect(() =>
      snapshotOf({ secretsRoot: dir, agents: { [`${NS}/x`]: { chain: [{ type: 'apiKey', hashed: true, secret: { namespace: NS, name: 'bad' } }] } } }),
    ).toThrow(/key zed: sha256 must be 64 hex digits/);
  });

  it('fails when a Secret is not mounted', () => {
    expect(() => snapshotOf({ secretsRoot: join(tempDir(), 'none'), agents: { [`${NS}/x`]: { chain: [{ type: 'bearer', secret: SHARED, clientId: 'c' }] } } })).toThrow(
      /team-a\/shared-token: cannot list .*ENOENT/,
    );
  });
});
