import { beforeAll, describe, expect, it } from 'vitest';
import { withQueryParam } from '../../src/runtime/egress.js';
import { parseAwsCredentials } from '../../src/runtime/sigv4.js';
import { FakeStreams, snapshotOf } from './fake.js';
import { headersMessage, mutationOf, routeName, statusOf, tempDir, writeSecret, type Headers } from './helpers.js';
import { referenceSignature } from './sigv4-reference.js';

const NS = 'egress';
const OPENAI = 'sk-proj-openai-PLATFORM';
const ACME = 'sk-ant-ACME-tenant';
const GLOBEX = 'sk-ant-GLOBEX-tenant';
const SHARED_ANT = 'sk-ant-SHARED-fallback';
const GOOGLE = 'AIza-google-key';
const AWS_ID = 'AKIDEXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AWS_TOKEN = 'session-token-xyz';
const NOW = Date.parse('2026-03-01T12:36:00Z');

let streams: FakeStreams;
beforeAll(() => {
  const root = tempDir();
  writeSecret(root, NS, 'openai', { 'api-key': `${OPENAI}\n` });
  writeSecret(root, NS, 'anthropic', { shared: SHARED_ANT, acme: ACME, globex: GLOBEX });
  writeSecret(root, NS, 'google', { key: GOOGLE });
  writeSecret(root, NS, 'aws', { credentials: `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\naws_session_token = ${AWS_TOKEN}\n` });
  const ant = (key: string) => ({ secret: { namespace: NS, name: 'anthropic' }, key });
  streams = new FakeStreams(
    snapshotOf({
      secretsRoot: root,
      egress: {
        [`${NS}/openai`]: { provider: 'openai', inject: { header: 'authorization', format: 'Bearer {key}' }, key: { secret: { namespace: NS, name: 'openai' }, key: 'api-key' } },
        [`${NS}/anthropic-byok`]: {
          provider: 'anthropic',
          inject: { header: 'x-api-key' },
          perTenant: { tenantHeader: 'x-tenant-id', keys: { acme: ant('acme'), globex: ant('globex') }, unknown: 'deny' },
        },
        [`${NS}/anthropic-fallback`]: {
          provider: 'anthropic',
          inject: { header: 'x-api-key' },
          key: ant('shared'),
          perTenant: { tenantHeader: 'x-tenant-id', keys: { acme: ant('acme') }, unknown: 'fallback' },
        },
        [`${NS}/google`]: { provider: 'google', inject: { queryParam: 'key' }, key: { secret: { namespace: NS, name: 'google' }, key: 'key' } },
        [`${NS}/bedrock`]: {
          provider: 'bedrock',
          inject: { sigv4: { region: 'us-east-1', service: 'bedrock', host: 'bedrock-runtime.us-east-1.amazonaws.com' } },
          key: { secret: { namespace: NS, name: 'aws' }, key: 'credentials' },
        },
        [`${NS}/llm-bedrock`]: {
          provider: 'bedrock',
          inject: { sigv4: { region: 'us-east-1', service: 'bedrock', host: 'bedrock-runtime.us-east-1.amazonaws.com', stripPrefix: '/bedrock' } },
          key: { secret: { namespace: NS, name: 'aws' }, key: 'credentials' },
        },
        [`${NS}/llm-ai/rule/1`]: {
          provider: 'anthropic',
          inject: { dynamicMetadata: { namespace: 'io.portcullis.egress', key: 'credential' } },
          perTenant: { tenantHeader: 'x-tenant-id', keys: { acme: ant('acme') }, unknown: 'deny' },
        },
      },
    }),
    () => NOW,
  );
});

const req = (route: string, headers: Headers, endOfStream = false) => headersMessage(headers, routeName(`${NS}/${route}`), { endOfStream });

describe('egress processor (fake stream)', () => {
  it('overwrites the provider header whatever the agent sent, and removes every foreign credential', async () => {
    const m = mutationOf(
      await streams.one(
        req('openai', { authorization: 'Bearer sk-agent-own-key', 'x-api-key': 'user-key', 'api-key': 'x', 'x-goog-api-key': 'y', cookie: 'session=abc' }),
      ),
    );
    expect(m.set).toEqual({ authorization: `Bearer ${OPENAI}` });
    expect(m.remove.sort()).toEqual(['api-key', 'cookie', 'x-api-key', 'x-goog-api-key']);
  });

  it('sets the key even when the agent sent none', async () => {
    expect(mutationOf(await streams.one(req('openai', {}))).set).toEqual({ authorization: `Bearer ${OPENAI}` });
  });

  it.each([
    ['acme', ACME],
    ['globex', GLOBEX],
  ])('selects the key of tenant %s', async (tenant, key) => {
    const m = mutationOf(await streams.one(req('anthropic-byok', { 'x-tenant-id': tenant, 'x-api-key': 'placeholder', authorization: 'Bearer user-jwt' })));
    expect(m.set).toEqual({ 'x-api-key': key });
    expect(m.remove).toContain('authorization');
  });

  it.each([
    ['an unknown tenant', { 'x-tenant-id': 'initech' }, 'portcullis_tenant_unknown'],
    ['no tenant header', {}, 'portcullis_tenant_missing'],
    ['a duplicated tenant header', { 'x-tenant-id': ['acme', 'globex'] }, 'portcullis_tenant_missing'],
  ])('denies %s when unknown tenants are denied', async (_name, headers, details) => {
    const res = await streams.one(req('anthropic-byok', headers));
    expect(statusOf(res)).toBe(403);
    expect(res.immediate_response?.details).toBe(details);
  });

  it('falls back to the shared key for an unknown tenant when configured', async () => {
    expect(mutationOf(await streams.one(req('anthropic-fallback', { 'x-tenant-id': 'initech' }))).set).toEqual({ 'x-api-key': SHARED_ANT });
    expect(mutationOf(await streams.one(req('anthropic-fallback', { 'x-tenant-id': 'acme' }))).set).toEqual({ 'x-api-key': ACME });
  });

  it('injects a query parameter, replacing one the agent set', async () => {
    const m = mutationOf(await streams.one(req('google', { ':path': '/v1beta/models/gemini:generateContent?key=agent-key&alt=sse&key=2' })));
    expect(m.set[':path']).toBe(`/v1beta/models/gemini:generateContent?alt=sse&key=${GOOGLE}`);
    expect(withQueryParam('/a', 'key', 'a b&c')).toBe('/a?key=a%20b%26c');
  });

  it('refuses to rewrite a path Envoy could not set again, or one sent twice (400)', async () => {
    for (const path of ['/v1beta/models\u0000?alt=sse', ['/a', '/b']]) {
      const res = await streams.one(req('google', { ':path': path }));
      expect(statusOf(res)).toBe(400);
      expect(res.immediate_response?.details).toBe('portcullis_path_not_rewritable');
      expect(res.immediate_response?.body?.toString()).not.toContain(GOOGLE);
    }
  });

  it('signs SigV4 over the buffered body; the signature matches an independent computation', async () => {
    const body = Buffer.from(JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }));
    const path = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke';
    const [h, b] = await streams.run(
      req('bedrock', { ':path': path, 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 forged', 'x-amz-date': '20000101T000000Z' }),
      { request_body: { body, end_of_stream: true } } as never,
    );
    // headers answer: foreign credentials out, nothing signed yet
    expect(mutationOf(h).remove).toEqual(expect.arrayContaining(['authorization', 'x-amz-date']));
    const signed = mutationOf(b).set;
    expect(signed['x-amz-date']).toBe('20260301T123600Z');
    expect(signed['x-amz-security-token']).toBe(AWS_TOKEN);
    expect(signed['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const auth = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(signed.authorization!);
    expect(auth?.[1]).toBe(`${AWS_ID}/20260301/us-east-1/bedrock/aws4_request`);
    const signedHeaders = auth![2]!.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
    const all: Record<string, string> = { ...signed, host: 'bedrock-runtime.us-east-1.amazonaws.com', 'content-type': 'application/json' };
    const expected = referenceSignature({
      method: 'POST',
      path,
      headers: all,
      signedHeaders,
      body,
      amzDate: '20260301T123600Z',
      region: 'us-east-1',
      service: 'bedrock',
      secretAccessKey: AWS_SECRET,
    });
    expect(auth![3]).toBe(expected);
  });

  it('signs the path as it leaves the gateway when the route rewrites a prefix away after ext_proc', async () => {
    const body = Buffer.from('{"messages":[]}');
    const upstream = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse';
    const [, b] = await streams.run(req('llm-bedrock', { ':path': `/bedrock${upstream}`, 'content-type': 'application/json' }), {
      request_body: { body, end_of_stream: true },
    } as never);
    const signed = mutationOf(b).set;
    expect(mutationOf(b).set[':path']).toBeUndefined(); // the runtime leaves the path to the route's rewrite
    const auth = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(signed.authorization!)!;
    const reference = (path: string) =>
      referenceSignature({
        method: 'POST',
        path,
        headers: { ...signed, host: 'bedrock-runtime.us-east-1.amazonaws.com', 'content-type': 'application/json' },
        signedHeaders: auth[1]!.split(';'),
        body,
        amzDate: '20260301T123600Z',
        region: 'us-east-1',
        service: 'bedrock',
        secretAccessKey: AWS_SECRET,
      });
    expect(auth[2]).toBe(reference(upstream));
    expect(auth[2]).not.toBe(reference(`/bedrock${upstream}`));
  });

  it('hands a tenant key to AI Gateway as dynamic metadata, never as a header, and denies an unknown tenant', async () => {
    const aiRule = (headers: Headers) => headersMessage(headers, routeName(`${NS}/llm-ai`, 1));
    const res = await streams.one(aiRule({ 'x-tenant-id': 'acme', 'x-api-key': 'agent-supplied', authorization: 'Bearer user-jwt' }));
    expect(res.dynamic_metadata).toEqual({
      fields: { 'io.portcullis.egress': { structValue: { fields: { credential: { stringValue: ACME } } } } },
    });
    const m = mutationOf(res);
    expect(m.set).toEqual({});
    expect(m.remove).toEqual(expect.arrayContaining(['x-api-key', 'authorization']));
    expect(statusOf(await streams.one(aiRule({ 'x-tenant-id': 'initech' })))).toBe(403);
  });

  it('signs a request without a body on its headers', async () => {
    const res = await streams.one(req('bedrock', { ':method': 'GET', ':path': '/foundation-models?byProvider=anthropic' }, true));
    expect(mutationOf(res).set.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it('refuses a streamed (unbuffered) body rather than send it unsigned', async () => {
    const [, b] = await streams.run(req('bedrock', {}), { request_body: { body: Buffer.from('{'), end_of_stream: false } } as never);
    expect(statusOf(b)).toBe(500);
  });

  it('the reference SigV4 reproduces AWS’s published get-vanilla test vector', () => {
    expect(
      referenceSignature({
        method: 'GET',
        path: '/',
        headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
        signedHeaders: ['host', 'x-amz-date'],
        body: '',
        amzDate: '20150830T123600Z',
        region: 'us-east-1',
        service: 'service',
        secretAccessKey: AWS_SECRET,
      }),
    ).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it('reads AWS credentials files', () => {
    expect(parseAwsCredentials('[default]\naws_access_key_id=A\naws_secret_access_key=B\n', 'x')).toEqual({ accessKeyId: 'A', secretAccessKey: 'B' });
    expect(() => parseAwsCredentials('junk', 'secret s')).toThrow(/secret s: not an AWS credentials file \(line 1 is/);
    // a key pasted on a line of its own: the message says where, and shows none of it
    const pasted = `[default]\naws_access_key_id = AKIAEXAMPLE\n${AWS_SECRET}\n`;
    let message = '';
    try {
      parseAwsCredentials(pasted, 'secret s');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/line 3 is neither/);
    for (let i = 0; i + 6 <= AWS_SECRET.length; i++) expect(message).not.toContain(AWS_SECRET.slice(i, i + 6));
  });

  it('never logs a provider key', () => {
    const logs = streams.logs.text();
    for (const s of [OPENAI, ACME, GLOBEX, SHARED_ANT, GOOGLE, AWS_SECRET, AWS_TOKEN, 'sk-agent-own-key', 'user-jwt']) expect(logs).not.toContain(s);
  });
});
