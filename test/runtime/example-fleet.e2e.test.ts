import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRuntime } from '../../src/runtime/index.js';
import { startRuntime } from '../../src/runtime/index.js';
import { EXAMPLE_SECRETS, exampleContract, writeExampleSecrets } from './example-contract.js';
import { ExtProcClient, LogCapture, headersMessage, immediateHeader, mutationOf, routeName, statusOf, tempDir, writeConfig } from './helpers.js';
import { RESOURCE, startIdp, type TestIdp } from './idp.js';

/**
 * The example fleet's runtime, end to end: the contract exactly as synth writes it into the ConfigMap,
 * served over real gRPC, with its Secrets as files. Only the corporate IdP is swapped for a real IdP on
 * loopback, since this machine cannot reach acme.okta.com.
 */
const { researchKey: RK, edgeProof: PROOF, initechKey: INITECH } = EXAMPLE_SECRETS;

describe('the example fleet served by the runtime, from the contract synth writes', () => {
  let idp: TestIdp;
  let runtime: RunningRuntime;
  let client: ExtProcClient;

  beforeAll(async () => {
    idp = await startIdp();
    const contract = exampleContract();
    const dir = tempDir();
    const secrets = join(dir, 'secrets');
    contract.secretsRoot = secrets;
    const oidc = contract.agents['research/research-assistant'].chain[0];
    Object.assign(oidc, { issuer: idp.issuer, jwksUri: idp.jwksUri, audiences: [RESOURCE] });
    writeExampleSecrets(secrets);
    writeConfig(join(dir, 'runtime.json'), contract as never);
    runtime = await startRuntime({ configPath: join(dir, 'runtime.json'), port: 0, metricsPort: 0, bind: '127.0.0.1', logDestination: new LogCapture() });
    client = new ExtProcClient(runtime.port);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await runtime?.stop();
    await idp?.stop();
  });

  const research = (headers: Record<string, string>) => client.one(headersMessage(headers, routeName('research/research-assistant')));

  it('research-assistant (any-of chain): a real IdP token is accepted and moved to x-original-token', async () => {
    const token = await idp.token();
    const res = await research({ authorization: `Bearer ${token}`, 'x-user-id': 'spoofed-admin', 'x-user-email': 'spoofed@evil.example' });
    expect(statusOf(res)).toBe('continue');
    const m = mutationOf(res);
    expect(m.set['x-original-token']).toBe(`Bearer ${token}`);
    expect(m.remove).toContain('authorization');
    // the spoofed identity is replaced by the token's (set overwrites), never passed on
    expect(m.set['x-user-id']).toBeTruthy();
    expect(m.set['x-user-id']).not.toBe('spoofed-admin');
    expect(m.set['x-user-email']).toBe('caller@acme.example');
    expect(m.set['x-tenant-id']).toBe('acme');
  });

  it('research-assistant (any-of chain): falls through to the hashed API key; a wrong key or none is 401', async () => {
    const ok = await research({ 'x-api-key': RK });
    expect(statusOf(ok)).toBe('continue');
    expect(mutationOf(ok).set['x-user-id']).toBe('ci-bot');
    expect(statusOf(await research({ 'x-api-key': 'rk-wrong' }))).toBe(401);
    const none = await research({});
    expect(statusOf(none)).toBe(401);
    expect(immediateHeader(none, 'www-authenticate')).toMatch(/Bearer/);
  });

  it('partner-summarizer (edge-trust, passthrough): trusts the edge only from its range with its proof, and leaves Authorization alone', async () => {
    const headers = { 'x-edge-user': 'alice', 'x-edge-org': 'globex', 'x-edge-proof': PROOF, authorization: 'Bearer partner-token' };
    const route = routeName('research/partner-summarizer');
    const res = await client.one(headersMessage(headers, route, { source: '10.40.3.4:51234' }));
    expect(statusOf(res)).toBe('continue');
    const m = mutationOf(res);
    expect(m.set).toMatchObject({ 'x-user-id': 'alice', 'x-tenant-id': 'globex' });
    expect(m.remove).not.toContain('authorization');
    expect(m.set.authorization).toBeUndefined();
    expect(statusOf(await client.one(headersMessage(headers, route, { source: '203.0.113.9:443' })))).toBe(401);
    expect(statusOf(await client.one(headersMessage({ ...headers, 'x-edge-proof': 'guessed' }, route, { source: '10.40.3.4:51234' })))).toBe(401);
  });

  it('the per-tenant OpenAI route on AI Gateway: hands the tenant key over as metadata, denies an unknown tenant', async () => {
    const rule0 = routeName('agents-egress/llm-ai', 0);
    const res = await client.one(headersMessage({ 'x-tenant-id': 'initech', authorization: 'Bearer agent-placeholder' }, rule0));
    expect((res.dynamic_metadata as any).fields['io.portcullis.egress'].structValue.fields.credential.stringValue).toBe(INITECH);
    expect(statusOf(await client.one(headersMessage({ 'x-tenant-id': 'hooli' }, rule0)))).toBe(403);
    // the route's other rules (the AI Gateway catch-all) pass untouched
    expect(statusOf(await client.one(headersMessage({}, routeName('agents-egress/llm-ai', 1))))).toBe('continue');
  });

  it('the Bedrock route on Envoy Gateway: signs with the mounted AWS credentials', async () => {
    const res = await client.one(headersMessage({ ':method': 'GET', ':path': '/bedrock/foundation-models' }, routeName('agents-egress/llm-bedrock'), { endOfStream: true }));
    expect(mutationOf(res).set.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEFLEET\/\d{8}\/eu-central-1\/bedrock\/aws4_request,/);
  });
});
