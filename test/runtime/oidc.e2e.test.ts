import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type RunningRuntime } from '../../src/runtime/index.js';
import type { ProcessingResponse } from '../../src/runtime/messages.js';
import { ExtProcClient, LogCapture, headersMessage, mutationOf, routeName, statusOf, tempDir, writeConfig, writeSecret } from './helpers.js';
import { CLIENT_ID, RESOURCE, startIdp, type TestIdp } from './idp.js';

/**
 * End to end: a real OpenID provider on 127.0.0.1 mints tokens, the runtime fetches its JWKS over HTTP,
 * and a gRPC client built from the same protos plays Envoy.
 */
let idp: TestIdp;
let runtime: RunningRuntime;
let client: ExtProcClient;
const logs = new LogCapture();
const AGENT = 'support/bot';

beforeAll(async () => {
  idp = await startIdp();
  const dir = tempDir();
  writeSecret(join(dir, 'secrets'), 'support', 'keys', { ops: 'sk-ops-777' });
  writeConfig(join(dir, 'runtime.json'), {
    secretsRoot: join(dir, 'secrets'),
    agents: {
      [AGENT]: {
        removeHeaders: ['x-user-id', 'x-tenant-id'],
        chain: [
          {
            type: 'oidc',
            issuer: idp.issuer,
            audiences: [RESOURCE],
            jwksUri: idp.jwksUri,
            algorithms: ['RS256', 'ES256'],
            clockSkewSeconds: 30,
            claims: { userId: 'sub', tenantId: 'tenant', roles: 'roles', email: 'email', extra: { client: 'client_id' } },
            arrayClaims: ['roles'],
          },
          { type: 'apiKey', secret: { namespace: 'support', name: 'keys' } },
        ],
        require: { roles: ['agent-user'], scopes: ['agents:invoke'] },
      },
      // discovery: no jwksUri, found from the issuer's openid-configuration
      'support/discovery': { chain: [{ type: 'oidc', issuer: idp.issuer, audiences: [RESOURCE] }] },
    },
  });
  runtime = await startRuntime({ configPath: join(dir, 'runtime.json'), port: 0, metricsPort: 0, bind: '127.0.0.1', logLevel: 'debug', logDestination: logs });
  client = new ExtProcClient(runtime.port);
});

afterAll(async () => {
  client?.close();
  await runtime?.stop();
  await idp?.stop();
});

const call = (authorization: string | undefined, route = AGENT, extra: Record<string, string> = {}) =>
  client.one(headersMessage({ ...(authorization !== undefined && { authorization }), ...extra }, routeName(route)));
const now = () => Math.floor(Date.now() / 1000);

describe('OIDC/JWT over real gRPC with a real IdP', () => {
  it('accepts a token minted by the IdP and sets the verified identity', async () => {
    const token = await idp.token();
    const res = await call(`Bearer ${token}`, AGENT, { 'x-user-id': 'spoofed-admin', 'x-tenant-id': 'evil' });
    expect(statusOf(res)).toBe('continue');
    const m = mutationOf(res);
    expect(m.set).toMatchObject({
      'x-user-id': CLIENT_ID,
      'x-tenant-id': 'acme',
      'x-user-roles': 'agent-user,reader',
      'x-user-email': 'caller@acme.example',
      'x-claim-client': CLIENT_ID,
    });
    expect(m.remove).toContain('authorization');
  });

  it("answers a stream's messages in order when the first must wait for a signature check and the next need not", async () => {
    // written at once: the request headers with a token never seen (its signature is checked, which
    // takes a turn of the event loop), then the response headers (answered at once): the second answer
    // must not overtake the first
    const stream = client['client'].Process() as grpc.ClientDuplexStream<unknown, ProcessingResponse>;
    const answers: ProcessingResponse[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: ProcessingResponse) => answers.push(r));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    stream.write(headersMessage({ authorization: `Bearer ${await idp.token()}` }, routeName(AGENT)));
    stream.write({ response_headers: { headers: { headers: [{ key: ':status', raw_value: Buffer.from('200') }] } } });
    stream.end();
    await done;
    const phases = ['request_headers', 'response_headers', 'immediate_response'] as const;
    expect(answers.map((a) => phases.filter((k) => a[k] != null).join())).toEqual(['request_headers', 'response_headers']);
    expect(mutationOf(answers[0]!).set['x-user-id']).toBe(CLIENT_ID);
  });

  it('finds the JWKS by OIDC discovery when no jwksUri is given', async () => {
    const res = await call(`Bearer ${await idp.token()}`, 'support/discovery');
    expect(mutationOf(res).set['x-user-id']).toBe(CLIENT_ID);
  });

  it('falls through to the API key for a non-JWT credential, and 403s for a missing role', async () => {
    const res = await call(undefined, AGENT, { 'x-api-key': 'sk-ops-777' });
    expect(statusOf(res)).toBe(403);
    expect(res.immediate_response?.details).toBe('portcullis_missing_role');
  });

  const attacks: [string, () => Promise<string>, string][] = [
    ['alg none', async () => new UnsecuredJWT({ iss: idp.issuer, aud: RESOURCE, sub: 'x', exp: now() + 60 }).encode(), 'algorithm_not_allowed'],
    [
      'RS/HS confusion: HS256 signed with the RSA public key as the secret',
      async () => {
        const pem = await exportSPKI((await import('node:crypto')).createPublicKey({ key: idp.publicJwk as never, format: 'jwk' }) as never);
        return new SignJWT({ iss: idp.issuer, aud: RESOURCE, sub: 'x', exp: now() + 60 })
          .setProtectedHeader({ alg: 'HS256', kid: idp.kid })
          .sign(new TextEncoder().encode(pem));
      },
      'algorithm_not_allowed',
    ],
    ['expired', () => idp.sign({ exp: now() - 120, iat: now() - 600 }), 'token_expired'],
    ['expired 31s ago, past the 30s clock skew', () => idp.sign({ exp: now() - 31 }), 'token_expired'],
    ['not yet valid', () => idp.sign({ nbf: now() + 300 }), 'token_not_yet_valid'],
    ['wrong issuer', () => idp.sign({ iss: 'https://evil.example' }), 'wrong_issuer'],
    ['issuer with a stray trailing slash', () => idp.sign({ iss: `${idp.issuer}/` }), 'wrong_issuer'],
    ['wrong audience', () => idp.sign({ aud: 'https://other-api.example.com' }), 'wrong_audience'],
    ['no exp at all', () => idp.sign({ exp: undefined }), 'invalid_claim_exp'],
    [
      'unknown kid (a key the IdP never published)',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return idp.sign({}, { kid: 'attacker-key', key: privateKey });
      },
      'unknown_signing_key',
    ],
    [
      'the right kid but another key',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return idp.sign({}, { key: privateKey });
      },
      'bad_signature',
    ],
    ['a tampered payload', async () => {
      const [h, , s] = (await idp.token()).split('.');
      const p = Buffer.from(JSON.stringify({ iss: idp.issuer, aud: RESOURCE, sub: 'admin', exp: now() + 60 })).toString('base64url');
      return `${h}.${p}.${s}`;
    }, 'bad_signature'],
    [
      'an asymmetric algorithm outside the allow-list (ES384)',
      async () => idp.sign({}, { alg: 'ES384', key: (await generateKeyPair('ES384')).privateKey }),
      'algorithm_not_allowed',
    ],
  ];

  it.each(attacks)('refuses %s with 401', async (_name, make, reason) => {
    const res = await call(`Bearer ${await make()}`);
    expect(statusOf(res)).toBe(401);
    expect(res.immediate_response?.details).toBe(`portcullis_${reason}`);
  });

  it('accepts a token expired within the clock skew', async () => {
    expect(statusOf(await call(`Bearer ${await idp.sign({ exp: now() - 10, roles: ['agent-user'], scope: 'agents:invoke' })}`))).toBe('continue');
  });

  it('403s a valid token without the required scope', async () => {
    const res = await call(`Bearer ${await idp.sign({ roles: ['agent-user'], scope: 'other' })}`);
    expect(statusOf(res)).toBe(403);
    expect(res.immediate_response?.details).toBe('portcullis_missing_scope');
  });

  it('refuses a token whose claim would inject a header line', async () => {
    const res = await call(`Bearer ${await idp.sign({ sub: 'a\r\nx-user-roles: admin', roles: ['agent-user'], scope: 'agents:invoke' })}`);
    expect(res.immediate_response?.details).toBe('portcullis_claim_not_header_safe');
  });

  it('keeps verifying with cached keys when the JWKS endpoint goes down', async () => {
    const token = await idp.token();
    const fetches = idp.jwksFetches();
    await idp.stop();
    const res = await call(`Bearer ${token}`);
    expect(statusOf(res)).toBe('continue');
    expect(idp.jwksFetches()).toBe(fetches);
    // an unknown kid now cannot be resolved: still refused, never accepted
    const { privateKey } = await generateKeyPair('RS256');
    const other = await idp.sign({}, { kid: 'rotated-in', key: privateKey });
    expect(statusOf(await call(`Bearer ${other}`))).toBe(401);
  });

  it('never logs a token', () => {
    const text = logs.text();
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(text).not.toContain('sk-ops-777');
  });
});

describe('OIDC with no keys at all', () => {
  it('fails closed (503) when the JWKS endpoint is down and nothing is cached', async () => {
    const down = await startIdp();
    const token = await down.token();
    await down.stop();
    const dir = tempDir();
    writeConfig(join(dir, 'runtime.json'), {
      jwks: { refreshSeconds: 300, staleSeconds: 3600, fetchTimeoutMs: 200, waitMs: 100 },
      agents: { 'x/y': { chain: [{ type: 'oidc', issuer: down.issuer, audiences: [RESOURCE], jwksUri: down.jwksUri }] } },
    });
    const rt = await startRuntime({ configPath: join(dir, 'runtime.json'), port: 0, metricsPort: 0, bind: '127.0.0.1', logDestination: new LogCapture() });
    const c = new ExtProcClient(rt.port);
    try {
      const res = await c.one(headersMessage({ authorization: `Bearer ${token}` }, routeName('x/y')));
      expect(statusOf(res)).toBe(503);
      expect(res.immediate_response?.details).toBe('portcullis_jwks_unavailable');
    } finally {
      c.close();
      await rt.stop();
    }
  });
});
