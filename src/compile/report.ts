import { explainAgent, type AgentExplanation } from './explain.js';
import type { FleetPlan } from './plan.js';
import { secretInstructions } from './secrets.js';

/** The fields of a diagnostic the report shows (validate's Diagnostic has them; compile does not import validate). */
interface Diagnostic {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly field: string;
  readonly message: string;
}

/** What the report shows of one fleet. */
export interface ReportFleet {
  readonly name: string;
  readonly plan: FleetPlan;
  /** Warnings left after acknowledgements. */
  readonly diagnostics: readonly Diagnostic[];
  readonly acknowledged: readonly Diagnostic[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Node {
  readonly id: string;
  readonly title: string;
  readonly detail: string;
  readonly muted?: boolean;
}

const COLUMNS = ['Ingress gateways', 'Agents and their auth', 'Egress gateways', 'Providers', 'Secrets'] as const;
/** Column widths: the last holds namespace-qualified Secret names. */
const WIDTHS = [210, 250, 210, 170, 420] as const;
const GAP = 60;
const X = WIDTHS.map((_, i) => WIDTHS.slice(0, i).reduce((a, w) => a + w + GAP, 0));
const BOX_H = 46;
const ROW_H = 58;
const TOP = 40;

/** An inline SVG of the fleet: who reaches which agent, which agent reaches which provider, and with what Secret. */
function diagram(plan: FleetPlan): string {
  const secrets = secretInstructions(plan);
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const columns: Node[][] = [
    plan.gateways.map((g) => ({ id: `gw:${key(g.gateway.namespace, g.gateway.name)}`, title: key(g.gateway.namespace, g.gateway.name), detail: g.gateway.listeners.map((l) => `${l.protocol} ${l.port}`).join(', ') })),
    plan.agents.map((a) => ({
      id: `agent:${key(a.agent.namespace, a.agent.name)}`,
      title: key(a.agent.namespace, a.agent.name),
      detail: a.agent.auth.length === 0 ? 'no auth: not exposed' : `${a.agent.auth.map((m) => m.type).join(' or ')} (${a.mechanism === 'runtime' ? 'runtime' : 'native'})`,
      muted: !a.exposed,
    })),
    plan.egressGateways.map((e) => ({ id: `egress:${key(e.gateway.namespace, e.gateway.name)}`, title: key(e.gateway.namespace, e.gateway.name), detail: e.gateway.target })),
    plan.fleet.providers.map((p) => ({ id: `provider:${p.name}`, title: p.name, detail: p.kind })),
    secrets.map((s) => ({ id: `secret:${key(s.namespace, s.name)}`, title: key(s.namespace, s.name), detail: s.type === 'kubernetes.io/tls' ? 'TLS certificate' : 'Secret' })),
  ];
  const pos = new Map<string, { x: number; y: number; w: number }>();
  columns.forEach((nodes, c) => nodes.forEach((n, r) => pos.set(n.id, { x: X[c]!, y: TOP + r * ROW_H, w: WIDTHS[c]! })));
  const edges: [string, string][] = [];
  for (const a of plan.agents) {
    const agent = `agent:${key(a.agent.namespace, a.agent.name)}`;
    if (a.exposed && a.gateway) edges.push([`gw:${key(a.gateway.namespace, a.gateway.name)}`, agent]);
    for (const g of a.grants) edges.push([agent, `egress:${key(g.gateway.gateway.namespace, g.gateway.gateway.name)}`]);
  }
  for (const e of plan.egressGateways) for (const r of e.routes) edges.push([`egress:${key(e.gateway.namespace, e.gateway.name)}`, `provider:${r.provider.name}`]);
  for (const s of secrets) {
    const used = s.usedBy;
    const target = `secret:${key(s.namespace, s.name)}`;
    for (const p of plan.fleet.providers) if (used.includes(`provider ${p.name} `)) edges.push([`provider:${p.name}`, target]);
    for (const a of plan.agents) if (used.includes(`agent ${a.agent.namespace}/${a.agent.name}`)) edges.push([`agent:${key(a.agent.namespace, a.agent.name)}`, target]);
    for (const g of plan.gateways) if (used.includes(`gateway ${g.gateway.namespace}/${g.gateway.name}`)) edges.push([`gw:${key(g.gateway.namespace, g.gateway.name)}`, target]);
  }
  const height = TOP + Math.max(1, ...columns.map((c) => c.length)) * ROW_H;
  const width = X[X.length - 1]! + WIDTHS[WIDTHS.length - 1]!;
  const lines = [...new Set(edges.map((e) => e.join('|')))].map((e) => {
    const [from, to] = e.split('|') as [string, string];
    const a = pos.get(from);
    const b = pos.get(to);
    if (!a || !b) return '';
    const [x1, y1, x2, y2] = [a.x + a.w, a.y + BOX_H / 2, b.x, b.y + BOX_H / 2];
    const mid = (x1 + x2) / 2;
    return `<path class="edge" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}"/>`;
  });
  const boxes = columns.flatMap((nodes) =>
    nodes.map((n) => {
      const p = pos.get(n.id)!;
      return `<g class="node${n.muted ? ' muted' : ''}" data-id="${esc(n.id)}"><rect x="${p.x}" y="${p.y}" width="${p.w}" height="${BOX_H}" rx="6"/><text x="${p.x + 10}" y="${p.y + 19}" class="title">${esc(n.title)}</text><text x="${p.x + 10}" y="${p.y + 36}" class="detail">${esc(n.detail)}</text></g>`;
    }),
  );
  const heads = COLUMNS.map((c, i) => `<text x="${X[i]}" y="20" class="column">${esc(c)}</text>`);
  return `<svg id="diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="fleet diagram">${heads.join('')}${lines.join('')}${boxes.join('')}</svg>`;
}

function row(label: string, cells: readonly string[]): string {
  return `<tr><th>${esc(label)}</th><td>${cells.map((c) => `<div>${esc(c)}</div>`).join('')}</td></tr>`;
}

function agentTable(e: AgentExplanation): string {
  const exposure = e.exposure.exposed
    ? [`gateway ${e.exposure.gateway}`, ...e.exposure.listeners.map((l) => `listener ${l.name}: ${l.protocol} ${l.port}${l.hostname ? ` ${l.hostname}` : ''}`), `hostnames ${e.exposure.hostnames.join(', ') || '(the listeners\')'}, path ${e.exposure.pathPrefix}`]
    : [`not exposed: ${e.exposure.why}`];
  const auth = [
    `enforced by ${e.auth.enforcedBy}`,
    ...e.auth.runtimeReasons.map((r) => `runtime needed: ${r}`),
    ...e.auth.chain.flatMap((m, i) => [`${i + 1}. ${m.method} accepts ${m.accepts}`, `falls through on ${m.fallsThrough}; rejects ${m.rejects}`]),
    `no method accepts: ${e.auth.noCredential}`,
  ];
  const headers = [
    `removed before any filter: ${e.headers.removedBeforeAuth.join(', ') || 'none'}`,
    ...Object.entries(e.headers.set).map(([h, v]) => `set ${h}: ${v}`),
    ...e.auth.chain.flatMap((m) => Object.entries(m.sets).map(([h, from]) => `${m.method} sets ${h} from ${from}`)),
    `Authorization: ${e.headers.authorization}`,
  ];
  const timeouts = [
    `route ${e.timeouts.routeSeconds}s`,
    ...(e.timeouts.gateway ? [`gateway request ${e.timeouts.gateway.requestSeconds}s, stream idle ${e.timeouts.gateway.streamIdleSeconds}s, idle ${e.timeouts.gateway.idleSeconds}s`] : []),
    ...(e.timeouts.frontProxySeconds !== undefined ? [`load balancer in front ${e.timeouts.frontProxySeconds}s`] : []),
  ];
  const providers =
    e.providers.length === 0
      ? ['none']
      : e.providers.flatMap((p) => [
          `${p.provider} (${p.kind}) via ${p.egressGateway}: key in ${p.injectedAs}, by ${p.injectedBy}`,
          `from Secret ${p.secrets.join('; ')}`,
          ...(p.tokenBudget ? [`token budget: ${p.tokenBudget}`] : []),
          ...(p.requestLimit ? [`call limit: ${p.requestLimit}`] : []),
        ]);
  return `<section class="agent" id="${esc(e.agent)}"><h3>${esc(e.agent)}</h3><table>${row('Exposure', exposure)}${row('Auth', auth)}${row('Headers', headers)}${row('Timeouts', timeouts)}${row('Quotas', e.quotas.length > 0 ? e.quotas : ['none declared'])}${row('Providers', providers)}${row('Egress', [`NetworkPolicy ${e.egress.networkPolicy}, everything else denied`, ...e.egress.allows])}</table></section>`;
}

function diagnosticsList(f: ReportFleet): string {
  const item = (d: Diagnostic, ack: boolean) =>
    `<li class="${ack ? 'acknowledged' : d.severity}"><code>${esc(d.code)}</code> [${esc(d.path)}] ${esc(d.field)}: ${esc(d.message)}${ack ? ' (acknowledged)' : ''}</li>`;
  const items = [...f.diagnostics.map((d) => item(d, false)), ...f.acknowledged.map((d) => item(d, true))];
  return items.length === 0 ? '<p>No diagnostics.</p>' : `<ul class="diagnostics">${items.join('')}</ul>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2433}h1{margin:0 0 .25rem}h2{margin-top:2.5rem}
.summary{color:#556}svg{max-width:100%;height:auto;border:1px solid #dde;border-radius:8px;padding:8px;background:#fafbff}
.node rect{fill:#fff;stroke:#4a63d9;stroke-width:1.5}.node.muted rect{stroke:#aab;stroke-dasharray:4 3}.node .title{font-weight:600;font-size:12px}
.node .detail{font-size:11px;fill:#556}.column{font-weight:700;font-size:13px;fill:#334}.edge{fill:none;stroke:#8a9be6;stroke-width:1.4}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th{width:8rem;text-align:left;vertical-align:top;padding:.4rem;background:#f1f3fb}
td{padding:.4rem;border-bottom:1px solid #eef}td div{margin:.1rem 0}.diagnostics li.warning{color:#8a5a00}.diagnostics li.acknowledged{color:#667}`;

/** out/report.html: self-contained (inline CSS and SVG, no script, no network), deterministic. */
export function renderReport(fleets: readonly ReportFleet[]): string {
  const body = fleets.map((f) => {
    const agents = f.plan.agents.map((a) => explainAgent(f.plan, `${a.agent.namespace}/${a.agent.name}`)!);
    const exposed = f.plan.agents.filter((a) => a.exposed).length;
    return `<section class="fleet" id="fleet-${esc(f.name)}"><h1>Fleet ${esc(f.name)}</h1><p class="summary">${f.plan.agents.length} agents (${exposed} exposed), ${f.plan.gateways.length} ingress and ${f.plan.egressGateways.length} egress gateways, ${f.plan.fleet.providers.length} providers</p>${diagram(f.plan)}<h2>Agents</h2>${agents.map(agentTable).join('')}<h2>Diagnostics</h2>${diagnosticsList(f)}</section>`;
  });
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>portcullis fleet report</title><style>${STYLE}</style></head><body>${body.join('')}</body></html>\n`;
}
