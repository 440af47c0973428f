import { describe, expect, it } from 'vitest';
import { Agent, Auth, EgressGateway, IngressGateway, Listener, Provider, type Quota } from '../../src/index.js';
import { find, synth } from '../constructs/helpers.js';
import { Limiter, bucketOf, sentUpstream, type RateLimitRule } from '../support/rate-limit.js';

const OKTA = { issuer: 'https://acme.okta.com/oauth2/default', audiences: ['api://agents'], tenantIdClaim: 'tid', extraClaims: { plan: 'plan' } };

/** The global rate limit rules the compiler emits for one agent with these quotas (and no diagnostics). */
function rulesFor(quotas: Quota[], auth = [Auth.oidc(OKTA)]): RateLimitRule[] {
  const { objects, diagnostics } = synth((f) => {
    const gw = new IngressGateway(f, 'edge', { namespace: 'edge', listeners: [Listener.https({ certificateSecret: 'tls' })], rateLimitService: true });
    new Agent(f, 'bot', { namespace: 'x', image: 'i:1', auth, quotas }).exposeVia(gw);
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return find(objects, 'BackendTrafficPolicy', 'bot').spec.rateLimit.global.rules;
}

describe('quota tiers', () => {
  const tiered: Quota = { key: 'user', requests: 60, per: 'minute', tiers: { by: { header: 'x-claim-plan' }, limits: { pro: 300, enterprise: 3000 } } };

  it('give each listed tier its own limit and everyone else, with no plan or another one, the default', () => {
    const rules = rulesFor([tiered]);
    expect(new Limiter(rules).allowance({ 'x-user-id': 'alice', 'x-claim-plan': 'pro' })).toBe(300);
    expect(new Limiter(rules).allowance({ 'x-user-id': 'erin', 'x-claim-plan': 'enterprise' })).toBe(3000);
    expect(new Limiter(rules).allowance({ 'x-user-id': 'bob', 'x-claim-plan': 'free' })).toBe(60);
    expect(new Limiter(rules).allowance({ 'x-user-id': 'carol' })).toBe(60);
    // values compare exactly: a case variant is not the tier
    expect(new Limiter(rules).allowance({ 'x-user-id': 'dave', 'x-claim-plan': 'Pro' })).toBe(60);
  });

  it('count each user in exactly one bucket, so users do not share or double-count', () => {
    const rules = rulesFor([tiered]);
    const buckets = (h: Record<string, string>) => rules.flatMap((r, i) => bucketOf(r, i, h) ?? []);
    expect(buckets({ 'x-user-id': 'alice', 'x-claim-plan': 'pro' })).toHaveLength(1);
    expect(buckets({ 'x-user-id': 'bob' })).toHaveLength(1);
    const limiter = new Limiter(rules);
    expect(limiter.allowance({ 'x-user-id': 'alice', 'x-claim-plan': 'pro' })).toBe(300);
    // alice exhausted hers; bob on the same tier still has his own
    expect(limiter.allowance({ 'x-user-id': 'bob', 'x-claim-plan': 'pro' })).toBe(300);
  });

  it('emit tier rules in a stable order whatever order the limits were written in', () => {
    const a = rulesFor([{ ...tiered, tiers: { by: { header: 'x-claim-plan' }, limits: { pro: 300, enterprise: 3000 } } }]);
    const b = rulesFor([{ ...tiered, tiers: { by: { header: 'x-claim-plan' }, limits: { enterprise: 3000, pro: 300 } } }]);
    expect(a).toEqual(b);
  });

  it('combine with a tenant quota: the tighter bucket refuses first', () => {
    const rules = rulesFor([tiered, { key: 'tenant', requests: 500, per: 'minute' }]);
    const limiter = new Limiter(rules);
    expect(limiter.allowance({ 'x-user-id': 'alice', 'x-tenant-id': 'acme', 'x-claim-plan': 'enterprise' })).toBe(500);
    expect(limiter.allowance({ 'x-user-id': 'bob', 'x-tenant-id': 'acme', 'x-claim-plan': 'enterprise' })).toBe(0);
  });
});

describe('unidentified callers', () => {
  it('are not counted by a quota unless it declares a limit for them', () => {
    const rules = rulesFor([{ key: 'tenant', requests: 100, per: 'minute' }]);
    expect(new Limiter(rules).allowance({ 'x-user-id': 'alice' }, 1000)).toBe(1000);
  });

  it('share one bucket when it does, and identified callers never touch it', () => {
    const rules = rulesFor([{ key: 'tenant', requests: 100, per: 'minute', unidentified: 5 }]);
    const limiter = new Limiter(rules);
    expect(limiter.allowance({ 'x-user-id': 'alice' })).toBe(5);
    expect(limiter.allowance({ 'x-user-id': 'bob' })).toBe(0);
    expect(limiter.allowance({ 'x-user-id': 'carol', 'x-tenant-id': 'acme' })).toBe(100);
    // an empty value is a value: counted as that tenant, not as unidentified
    expect(new Limiter(rules).allowance({ 'x-tenant-id': '' })).toBe(100);
  });

  it('work with tiers: no key means the unidentified bucket, whatever the tier', () => {
    const rules = rulesFor([{ key: 'tenant', requests: 100, per: 'minute', unidentified: 7, tiers: { by: { header: 'x-claim-plan' }, limits: { pro: 1000 } } }]);
    expect(new Limiter(rules).allowance({ 'x-claim-plan': 'pro' })).toBe(7);
    expect(new Limiter(rules).allowance({ 'x-tenant-id': 'acme', 'x-claim-plan': 'pro' })).toBe(1000);
  });
});

describe('token budget and call limit tiers', () => {
  it('scope each tier to the provider\'s models and charge every tier the tokens AI Gateway recorded', () => {
    const { objects, diagnostics } = synth((f) => {
      const openai = Provider.openai({ credential: { secretName: 'openai', key: 'apiKey' }, models: ['gpt-4.1'] });
      new EgressGateway(f, 'ai', { namespace: 'agents-egress', target: 'ai-gateway', providers: [openai], rateLimitService: true });
      new Agent(f, 'bot', { namespace: 'x', image: 'i:1' }).allowProvider(openai, {
        tokenBudget: { key: 'tenant', tokens: 1000, per: 'day', tiers: { by: { header: 'x-claim-plan' }, limits: { pro: 50_000 } } },
        requestLimit: { key: 'user', requests: 10, per: 'minute', tiers: { by: 'tenant', limits: { acme: 100 } } },
      });
      f.acknowledge('PC012', 'egress-only test agent');
    });
    expect(diagnostics).toEqual([]);
    const rules: (RateLimitRule & { cost?: unknown })[] = find(objects, 'BackendTrafficPolicy', 'ai-limits').spec.rateLimit.global.rules;
    const counting = (h: Record<string, string>) =>
      rules.flatMap((r, i) => (bucketOf(r, i, { 'x-ai-eg-model': 'gpt-4.1', 'x-portcullis-agent': 'x/bot', ...h }) ? [r.limit.requests] : []));
    // the pro tenant's tokens count against 50,000; alice of acme makes 100 calls, bob of globex 10
    expect(counting({ 'x-tenant-id': 'acme', 'x-user-id': 'alice', 'x-claim-plan': 'pro' })).toEqual([50_000, 100]);
    expect(counting({ 'x-tenant-id': 'globex', 'x-user-id': 'bob' })).toEqual([1000, 10]);
    // token rules cost nothing on the request and the recorded tokens on the answer; call rules count calls
    expect(rules.filter((r) => r.cost).map((r) => r.limit.requests)).toEqual([50_000, 1000]);
    // other models are not this provider's: not counted
    expect(rules.some((r, i) => bucketOf(r, i, { 'x-ai-eg-model': 'claude-sonnet-4', 'x-portcullis-agent': 'x/bot', 'x-tenant-id': 'acme', 'x-user-id': 'alice' }))).toBe(false);
    // nor are another agent's calls through the same gateway: its listener stamps another name
    expect(counting({ 'x-portcullis-agent': 'x/other', 'x-tenant-id': 'acme', 'x-user-id': 'alice' })).toEqual([]);

    // the tokens are charged when the call ends, on the request's headers as they were sent to the provider:
    // each token rule still finds the bucket it checked before the call
    const removed: string[] = find(objects, 'AIServiceBackend', 'openai').spec.headerMutation.remove;
    const request = { 'x-ai-eg-model': 'gpt-4.1', 'x-portcullis-agent': 'x/bot', 'x-tenant-id': 'acme', 'x-user-id': 'alice', 'x-claim-plan': 'pro', 'x-user-email': 'a@acme.example', 'x-user-roles': 'admin' };
    const { 'x-claim-plan': _, ...free } = request;
    for (const h of [request, free]) {
      const checked = rules.flatMap((r, i) => (r.cost ? [bucketOf(r, i, h)] : []));
      const charged = rules.flatMap((r, i) => (r.cost ? [bucketOf(r, i, sentUpstream(h, removed))] : []));
      expect(checked.filter((b) => b !== undefined)).toHaveLength(1);
      expect(charged).toEqual(checked);
    }
    // who called goes no further than the budgets need: the user, roles and email are removed, the caller
    // stamp, the tenant and the tier stay because the token rules read them when the call ends
    expect(Object.keys(sentUpstream(request, removed)).sort()).toEqual(['x-ai-eg-model', 'x-claim-plan', 'x-portcullis-agent', 'x-tenant-id']);
    // credential headers go, whatever a budget reads
    expect(removed).toEqual(expect.arrayContaining(['x-api-key', 'api-key', 'x-goog-api-key']));
  });
});

describe('budgets per agent', () => {
  it('count each agent\'s calls only, told apart by the listener each agent alone may reach', () => {
    const { objects, diagnostics } = synth((f) => {
      const openai = Provider.openai({ credential: { secretName: 'openai', key: 'credential' } });
      new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [openai], rateLimitService: true });
      new Agent(f, 'bot', { namespace: 'x', image: 'i:1' }).allowProvider(openai, { requestLimit: { key: 'agent', requests: 1000, per: 'hour' } });
      new Agent(f, 'other', { namespace: 'x', image: 'i:1' }).allowProvider(openai, { requestLimit: { key: 'user', requests: 10, per: 'minute' } });
      f.acknowledge('PC012', 'egress-only test agents');
    });
    expect(diagnostics).toEqual([]);
    const rules: RateLimitRule[] = find(objects, 'BackendTrafficPolicy', 'llm-openai-limits').spec.rateLimit.global.rules;
    // every call of bot, whoever it is for, in one bucket; other's per user; neither counts the other's calls
    const bot = new Limiter(rules);
    expect(bot.allowance({ 'x-portcullis-agent': 'x/bot', 'x-user-id': 'alice' }, 2000)).toBe(1000);
    expect(bot.allowance({ 'x-portcullis-agent': 'x/bot', 'x-user-id': 'bob' }, 2000)).toBe(0);
    expect(bot.allowance({ 'x-portcullis-agent': 'x/other', 'x-user-id': 'alice' }, 2000)).toBe(10);
    // a request without the stamp (the gateway's own listener, which removes it) is counted by nobody's rule
    expect(rules.some((r, i) => bucketOf(r, i, { 'x-user-id': 'alice' }))).toBe(false);

    // the stamp comes from the listener: set per agent listener, removed on the gateway's own
    const gateway = find(objects, 'Gateway', 'llm');
    expect(gateway.spec.listeners.map((l: { name: string }) => l.name)).toEqual(['http', 'x.bot', 'x.other']);
    const stamp = (name: string) => find(objects, 'ClientTrafficPolicy', name).spec;
    expect(stamp('llm.x.bot')).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'llm', sectionName: 'x.bot' }],
      headers: { earlyRequestHeaders: { set: [{ name: 'x-portcullis-agent', value: 'x/bot' }] } },
    });
    expect(stamp('llm').headers.earlyRequestHeaders).toEqual({ remove: ['x-portcullis-agent'] });
    // only bot's pods may reach bot's listener
    const ports = Object.fromEntries(gateway.spec.listeners.map((l: { name: string; port: number }) => [l.name, l.port]));
    const proxies = find(objects, 'NetworkPolicy', 'agents-egress-llm-egress').spec.ingress;
    expect(proxies.find((r: { ports: { port: number }[] }) => r.ports[0]!.port === ports['x.bot']).from[0].podSelector).toEqual({ matchLabels: { 'portcullis.dev/agent': 'bot' } });
    expect(new Set(Object.values(ports)).size).toBe(3);
    // and the provider never sees the stamp, nor who the call was for: call limits are counted before the
    // call, so nothing reads these headers after they are removed
    expect(find(objects, 'HTTPRoute', 'llm-openai').spec.rules[0].filters[1].requestHeaderModifier.remove).toEqual(
      expect.arrayContaining(['x-portcullis-agent', 'x-user-id', 'x-tenant-id', 'x-user-roles', 'x-user-email']),
    );
  });

  it('remove who called before the provider: identity, method and claim headers of every grantee', () => {
    const { objects, diagnostics } = synth((f) => {
      const openai = Provider.openai({ credential: { secretName: 'openai', key: 'credential' } });
      new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [openai] });
      const gw = new IngressGateway(f, 'edge', { namespace: 'edge', listeners: [Listener.https({ certificateSecret: 'tls' })], identityHeaders: { userId: 'x-sub' } });
      const bot = new Agent(f, 'bot', { namespace: 'x', image: 'i:1', auth: [Auth.oidc(OKTA)] });
      bot.exposeVia(gw);
      bot.allowProvider(openai);
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const removed: string[] = find(objects, 'HTTPRoute', 'llm-openai').spec.rules[0].filters[1].requestHeaderModifier.remove;
    // the gateway's own user header name, the default others, and the OIDC method's claim header
    expect(removed).toEqual(expect.arrayContaining(['x-sub', 'x-tenant-id', 'x-claim-plan', 'x-portcullis-agent']));
    expect(removed).not.toContain('x-user-id');
  });

  it('keep an agent\'s port when other agents come and go', () => {
    const portOf = (names: string[]) => {
      const { objects } = synth((f) => {
        const openai = Provider.openai({ credential: { secretName: 'openai', key: 'credential' } });
        new EgressGateway(f, 'llm', { namespace: 'agents-egress', providers: [openai] });
        for (const n of names) new Agent(f, n, { namespace: 'x', image: 'i:1' }).allowProvider(openai);
        f.acknowledge('PC012', 'egress-only test agents');
      });
      return find(objects, 'Gateway', 'llm').spec.listeners.find((l: { name: string }) => l.name === 'x.bot').port;
    };
    const alone = portOf(['bot']);
    expect(portOf(['alpha', 'bot', 'zulu', 'mike'])).toBe(alone);
  });
});
