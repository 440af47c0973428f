import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProcessingRequest } from '../../src/runtime/messages.js';
import { FakeStreams, snapshotOf } from './fake.js';
import { headersMessage, mutationOf, routeName, statusOf, tempDir, writeSecret } from './helpers.js';

// Properties of the processor over generated requests: whatever a caller adds, in whatever case and how
// many times, no identity it claims and no credential it brings gets past the runtime.

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
      agents: { [`${NS}/agent`]: { removeHeaders: IDENTITY_HEADERS, chain: [{ type: 'apiKey', secret: { namespace: NS, name: 'keys' } }] } },
      egress: {
        [`${NS}/openai`]: { provider: 'openai', inject: { header: 'authorization', format: 'Bearer {key}' }, key: { secret: { namespace: NS, name: 'openai' }, key: 'api-key' } },
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
function request(route: string, base: Record<string, string>, extra: [string, string][]): ProcessingRequest {
  const m = headersMessage(base, routeName(`${NS}/${route}`));
  m.request_headers!.headers!.headers!.push(...extra.map(([key, v]) => ({ key, raw_value: Buffer.from(v) })));
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
