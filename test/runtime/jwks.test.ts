import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestHeaders } from '../../src/runtime/headers.js';
import { JwksSource } from '../../src/runtime/jwks.js';
import { oidcVerifier } from '../../src/runtime/methods/oidc.js';
import type { OidcMethod } from '../../src/contract/index.js';

/** The key cache on a fake clock: refresh, stale-while-error, fail closed, and the verified-token cache. */
let server: Server;
let up = true;
let keys: object[] = [];
let fetches = 0;
let base: string;
let clock = Date.now();
const now = () => clock;

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches++;
    if (!up) res.writeHead(503).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } };
}
const method: OidcMethod = {
  type: 'oidc',
  issuer: 'https://issuer.example',
  audiences: ['api'],
  algorithms: ['ES256'],
  clockSkewSeconds: 0,
  claims: { userId: 'sub', extra: {} },
  arrayClaims: [],
};
const sign = (key: CryptoKeyLike, kid: string, exp: number) =>
  new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(method.issuer).setAudience('api').setExpirationTime(exp).sign(key);
type CryptoKeyLike = Parameters<SignJWT['sign']>[0];
const ctx = (token: string) => ({ headers: RequestHeaders.of({ authorization: `Bearer ${token}` }), nowMs: clock });

describe('JWKS cache', () => {
  it('serves stale keys while the endpoint fails, within the window, then fails closed', async () => {
    const a = await keyPair('a');
    keys = [a.jwk];
    up = true;
    clock = Date.now();
    const source = new JwksSource(method.issuer, `${base}/jwks`, { refreshSeconds: 60, staleSeconds: 120, fetchTimeoutMs: 500, waitMs: 300 }, now);
    const v = oidcVerifier(method, source, 16_384, 0);
    const token = await sign(a.privateKey, 'a', Math.floor(clock / 1000) + 3600);
    expect((await v.check(ctx(token))).kind).toBe('accept');
    up = false;
    clock += 90_000; // past refresh, inside the stale window: background refresh fails, keys still used
    expect((await v.check(ctx(token))).kind).toBe('accept');
    clock += 100_000; // past refresh + stale
    const out = await v.check(ctx(token));
    expect(out).toEqual({ kind: 'reject', reason: 'jwks_unavailable', status: 503 });
    up = true;
    expect((await v.check(ctx(token))).kind).toBe('accept');
  });

  it('refetches for an unknown kid at most once per cooldown', async () => {
    const a = await keyPair('a');
    const b = await keyPair('b');
    keys = [a.jwk];
    up = true;
    clock = Date.now();
    const source = new JwksSource(method.issuer, `${base}/jwks`, { refreshSeconds: 300, staleSeconds: 300, fetchTimeoutMs: 500, waitMs: 300 }, now);
    const v = oidcVerifier(method, source, 16_384, 0);
    const exp = Math.floor(clock / 1000) + 3600;
    expect((await v.check(ctx(await sign(a.privateKey, 'a', exp)))).kind).toBe('accept');
    const before = fetches;
    keys = [a.jwk, b.jwk]; // the IdP rotates a key in
    clock += 11_000;
    expect((await v.check(ctx(await sign(b.privateKey, 'b', exp)))).kind).toBe('accept');
    expect(fetches).toBe(before + 1);
    const c = await keyPair('c');
    await v.check(ctx(await sign(c.privateKey, 'c', exp)));
    await v.check(ctx(await sign(c.privateKey, 'c', exp)));
    expect(fetches).toBe(before + 1); // within the cooldown: no refetch storm
  });

  it('caches verified tokens, still checks exp, and forgets them when the key set changes', async () => {
    const a = await keyPair('a');
    keys = [a.jwk];
    up = true;
    clock = Date.now();
    const source = new JwksSource(method.issuer, `${base}/jwks`, { refreshSeconds: 60, staleSeconds: 60, fetchTimeoutMs: 500, waitMs: 300 }, now);
    const v = oidcVerifier(method, source, 16_384, 100);
    const token = await sign(a.privateKey, 'a', Math.floor(clock / 1000) + 100);
    expect((await v.check(ctx(token))).kind).toBe('accept');
    expect((await v.check(ctx(token))).kind).toBe('accept');
    // the IdP revokes key a: after the next refresh the cached result no longer counts
    const b = await keyPair('b');
    keys = [b.jwk];
    clock += 61_000;
    await source.refresh();
    expect(await v.check(ctx(token))).toMatchObject({ kind: 'reject', reason: 'unknown_signing_key' });
    // expiry is checked on cached tokens too
    keys = [a.jwk];
    await source.refresh();
    const short = await sign(a.privateKey, 'a', Math.floor(clock / 1000) + 5);
    expect((await v.check(ctx(short))).kind).toBe('accept');
    clock += 6_000;
    expect(await v.check(ctx(short))).toMatchObject({ kind: 'reject', reason: 'token_expired' });
  });
});
