import { App } from 'cdk8s';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildFleet } from '../../examples/fleet.js';
import { Fleet, PortcullisApp } from '../../src/index.js';
import { EXAMPLE_YAML, run } from './helpers.js';

const AGENTS = ['support/support-bot', 'support/ticket-triage', 'research/research-assistant', 'research/partner-summarizer', 'research/batch-indexer'];

function examplePlan() {
  const fleet = Fleet.fromInput(new App(), 'acme', { input: parse(readFileSync(EXAMPLE_YAML, 'utf8')) });
  return fleet.lower().plan!;
}

async function explainJson(agent: string) {
  const r = await run(['explain', '-f', EXAMPLE_YAML, agent, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('portcullis explain', () => {
  it.each(AGENTS)('answers for %s, in words', async (agent) => {
    const r = await run(['explain', '-f', EXAMPLE_YAML, agent]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^agent ${agent} \\(`));
    for (const section of ['exposure:', 'auth:', 'headers:', 'timeouts:', 'quotas:', 'providers:', 'egress (NetworkPolicy']) expect(r.stdout).toContain(section);
  });

  it('is derived from the plan synth compiles: mechanism, exposure and providers agree for every agent', async () => {
    const plan = examplePlan();
    for (const a of plan.agents) {
      const e = await explainJson(`${a.agent.namespace}/${a.agent.name}`);
      expect(e.auth.mechanism).toBe(a.mechanism);
      expect(e.exposure.exposed).toBe(a.exposed);
      expect(e.auth.runtimeReasons).toEqual(a.runtimeReasons);
      expect(e.providers.map((p: { provider: string }) => p.provider)).toEqual(a.grants.map((g) => g.provider.name));
    }
  });

  it('names every Secret exactly where SECRETS.md tells the user to create it', async () => {
    const app = new PortcullisApp({ report: () => {} });
    buildFleet(app);
    const secretsMd = app.render().get('SECRETS.md')!;
    for (const agent of AGENTS) {
      const e = await explainJson(agent);
      const named = [
        ...e.auth.chain.flatMap((m: { accepts: string }) => [...m.accepts.matchAll(/Secret (\S+?)(?=[ ,]|$)/g)].map((x) => x[1])),
        ...e.providers.flatMap((p: { secrets: string[] }) => p.secrets.map((s) => s.split(' ')[0])),
      ];
      for (const secret of named) expect(secretsMd, `${agent}: ${secret}`).toContain(`### ${secret}\n`);
    }
  });

  it('tells what each kind of agent gets', async () => {
    const bot = await explainJson('support/support-bot');
    expect(bot.auth.enforcedBy).toMatch(/^SecurityPolicy support\/support-bot \(Envoy jwt_authn\)/);
    expect(bot.headers.authorization).toMatch(/^validated, then removed/);
    expect(bot.providers[0]).toMatchObject({ provider: 'anthropic', injectedAs: 'x-api-key: "<key>"', secrets: ['agents-egress/anthropic-api-key key credential'] });
    expect(bot.egress.allows).toEqual(expect.arrayContaining(['namespace support pods app.kubernetes.io/name=kb on 80/tcp']));
    expect(bot.quotas).toEqual([
      expect.stringMatching(
        /^requests per minute per distinct x-user-id \(user\), tiered by x-claim-plan: pro 300, any other value or none 60, by BackendTrafficPolicy support\/support-bot/,
      ),
      expect.stringMatching(/^600 requests per minute per distinct x-tenant-id \(tenant\)/),
    ]);

    const research = await explainJson('research/research-assistant');
    expect(research.auth.chain.map((m: { method: string; fallsThrough: string }) => [m.method, m.fallsThrough])).toEqual([
      ['oidc', 'no Authorization: Bearer JWT'],
      ['apiKey', 'no x-api-key header'],
    ]);
    expect(research.headers.authorization).toBe('moved to x-original-token by the runtime, then Authorization is removed');
    expect(research.egress.allows).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^egress gateway agents-egress\/llm: its proxies in envoy-gateway-system on (\d+)\/tcp, a listener only this agent may reach, which stamps its calls x-portcullis-agent: research\/research-assistant$/),
      ]),
    );
    expect(research.quotas).toEqual([expect.stringMatching(/^1200 requests per minute per distinct x-tenant-id \(tenant\), .*; requests without x-tenant-id share 120 per minute$/)]);

    const partner = await explainJson('research/partner-summarizer');
    expect(partner.headers.authorization).toBe('passed to the agent untouched');
    expect(partner.providers[0]).toMatchObject({ target: 'ai-gateway', models: { allowed: ['gpt-4.1-mini'], enforced: true } });
    expect(partner.providers[0].injectedBy).toMatch(/tenant key from the runtime via dynamic metadata/);
    expect(partner.providers[0].tokenBudget).toMatch(
      /^2000000 total tokens per month per distinct x-tenant-id \(as the agent forwards it\) among this agent's calls \(but x-tenant-id globex: 10000000\), by BackendTrafficPolicy agents-egress\/llm-ai-limits/,
    );

    const triage = await explainJson('support/ticket-triage');
    expect(triage.providers[0].injectedAs).toMatch(/^an AWS SigV4 signature \(eu-central-1\/bedrock\)/);

    const indexer = await explainJson('research/batch-indexer');
    expect(indexer.exposure).toEqual({ exposed: false, why: 'it declares no inbound auth (secure default, PC012)' });
    expect(indexer.auth.enforcedBy).toMatch(/^nothing: no route is emitted/);
  });

  it('fails with the list of agents when the agent is unknown, and on usage errors', async () => {
    const r = await run(['explain', '-f', EXAMPLE_YAML, 'nobody']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no single agent is "nobody"');
    expect(r.stderr).toContain('support/support-bot');
    expect((await run(['explain', EXAMPLE_YAML])).code).toBe(2);
    expect((await run(['explain', '-f', EXAMPLE_YAML])).code).toBe(2);
  });
});
