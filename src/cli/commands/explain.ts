import { explainAgent, type AgentExplanation } from '../../compile/index.js';
import { Fleet, PortcullisApp } from '../../constructs/index.js';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../../validate/index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type CliIo, type Command } from '../io.js';
import { loadFleetYaml } from '../yaml.js';
import { chartId, readFleet } from './synth.js';

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const explainCommand: Command = {
  name: 'explain',
  summary: 'say, in words, what happens to a request to one agent',
  help: `usage: portcullis explain -f FILE AGENT [--json]

Explains, from the same plan synth compiles, what happens to a request to AGENT (namespace/name, or a
name that is unique): where it is exposed, which credentials are accepted, fall through or are
rejected and by what mechanism, which headers are removed and set, what happens to Authorization,
timeouts, which providers it reaches with which key injected where (from which Secret, by name), and
what its egress is limited to.

options:
  -f, --file FILE   the fleet, in YAML (required)
  --json            print the explanation as JSON
  -h, --help        show this help

exit codes: 0 explained, 1 error in the fleet, 2 usage error (including an unknown agent)
`,
  run,
};

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, 'explain', true);
  if (values.help) {
    io.stdout.write(explainCommand.help);
    return EXIT.ok;
  }
  if (!values.file) throw new UsageError('missing the fleet file: pass it with -f, e.g. "portcullis explain -f fleet.yaml support/support-bot"');
  if (positionals.length !== 1) throw new UsageError('name exactly one agent, as namespace/name, e.g. "portcullis explain -f fleet.yaml support/support-bot"');
  const report = (ds: readonly Diagnostic[]) => ds.forEach((d) => io.stderr.write(`${formatDiagnostic(d)}\n`));
  const loaded = loadFleetYaml(readFleet(values.file), values.file);
  report(loaded.diagnostics);
  if (hasErrors(loaded.diagnostics)) return EXIT.problems;
  const fleet = Fleet.fromInput(new PortcullisApp({ report }), chartId(loaded.input), { input: loaded.input, locate: loaded.locate });
  const lowered = fleet.lower();
  report(lowered.diagnostics);
  if (!lowered.plan || hasErrors(lowered.diagnostics)) return EXIT.problems;
  const agent = positionals[0]!;
  const explanation = explainAgent(lowered.plan, agent);
  if (!explanation) {
    const agents = lowered.plan.agents.map((a) => `${a.agent.namespace}/${a.agent.name}`).join(', ');
    throw new UsageError(`no single agent is "${agent}" in ${values.file} (agents: ${agents || 'none'})`);
  }
  io.stdout.write(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
  return EXIT.ok;
}

/** The explanation as a reviewer reads it: sections in the order a request meets them. */
export function renderExplanation(e: AgentExplanation): string {
  const out: string[] = [`agent ${e.agent} (${e.image})`, ''];
  const section = (title: string, lines: readonly string[]) => out.push(`${title}:`, ...lines.map((l) => `  ${l}`), '');
  if (!e.exposure.exposed) section('exposure', [`not exposed: ${e.exposure.why}`]);
  else
    section('exposure', [
      `gateway ${e.exposure.gateway}, listeners ${e.exposure.listeners.map((l) => `${l.name} (${l.protocol} ${l.port}${l.hostname ? ` ${l.hostname}` : ''})`).join(', ')}`,
      `hostnames ${e.exposure.hostnames.join(', ') || '(the listeners\')'}, path prefix ${e.exposure.pathPrefix}`,
    ]);
  section('auth', [
    `enforced by ${e.auth.enforcedBy}`,
    ...(e.auth.runtimeReasons.length > 0 ? [`the runtime is needed for: ${e.auth.runtimeReasons.join('; ')}`] : []),
    ...e.auth.chain.flatMap((m, i) => [
      `${i + 1}. ${m.method}: accepts ${m.accepts}`,
      `   falls through on: ${m.fallsThrough}`,
      `   rejects: ${m.rejects}`,
      ...Object.entries(m.sets).map(([h, from]) => `   sets ${h} from ${from}`),
    ]),
    `when no method accepts: ${e.auth.noCredential}`,
  ]);
  section('headers', [
    `removed before any filter (spoofable): ${e.headers.removedBeforeAuth.join(', ') || 'none'}`,
    ...Object.entries(e.headers.set).map(([h, v]) => `set ${h}: ${v}`),
    `Authorization: ${e.headers.authorization}`,
  ]);
  section('timeouts', [
    `route ${e.timeouts.routeSeconds}s`,
    ...(e.timeouts.gateway ? [`gateway: request ${e.timeouts.gateway.requestSeconds}s, stream idle ${e.timeouts.gateway.streamIdleSeconds}s, connection idle ${e.timeouts.gateway.idleSeconds}s`] : []),
    ...(e.timeouts.frontProxySeconds !== undefined ? [`load balancer in front: ${e.timeouts.frontProxySeconds}s`] : []),
  ]);
  section('quotas', e.quotas.length > 0 ? e.quotas : ['none declared']);
  section(
    'providers',
    e.providers.length === 0
      ? ['none: the agent cannot call any LLM provider']
      : e.providers.flatMap((p) => [
          `${p.provider} (${p.kind}) through egress gateway ${p.egressGateway} (${p.target})`,
          `  the agent gets ${Object.entries(p.agentEnv).map(([k, v]) => `${k}=${v}`).join(', ')}`,
          `  the key goes in ${p.injectedAs}, set by ${p.injectedBy}`,
          `  from Secret ${p.secrets.join('; ')}`,
          `  removed before the provider: ${p.removedHeaders.join(', ')}`,
          `  models: ${p.models.allowed.length > 0 ? p.models.allowed.join(', ') : 'any'}${p.models.allowed.length > 0 && !p.models.enforced ? ' (not enforced on Envoy Gateway alone, PC028)' : ''}`,
          ...(p.tokenBudget ? [`  token budget: ${p.tokenBudget}`] : []),
          ...(p.requestLimit ? [`  call limit: ${p.requestLimit}`] : []),
        ]),
  );
  section(`egress (NetworkPolicy ${e.egress.networkPolicy}; everything else is denied)`, e.egress.allows);
  return `${out.join('\n').trimEnd()}\n`;
}
