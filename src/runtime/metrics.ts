import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type DecisionLabels = { readonly phase: string; readonly result: string; readonly reason: string };
type Tally = { readonly labels: DecisionLabels; n: number };

/**
 * The runtime's Prometheus metrics, in a registry of its own (several runtimes may share a process in tests).
 *
 * What every stream counts is counted in place: the decisions in a tally by phase, result and reason, the
 * open streams in a number, both handed to prom-client when scraped (its `collect` hook). prom-client's
 * own `inc` validates and hashes the labels on every call, which a decision would pay a few µs for, and
 * some hundreds of bytes of garbage. The latency histogram observes through one child per phase.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  /** phase -> result -> reason -> tally */
  private readonly tallies = new Map<string, Map<string, Map<string, Tally>>>();
  private openStreams = 0;

  private readonly decisions = new Counter({
    name: 'portcullis_runtime_decisions_total',
    help: 'Decisions by phase (inbound, egress, passthrough), result (allow, deny, error) and reason.',
    labelNames: ['phase', 'result', 'reason'] as const,
    registers: [this.registry],
    collect: () => {
      // a counter only goes up: the tallies are totals, so the scrape sets them as they are
      this.decisions.reset();
      for (const byResult of this.tallies.values())
        for (const byReason of byResult.values()) for (const t of byReason.values()) this.decisions.inc(t.labels, t.n);
    },
  });
  private readonly latency = new Histogram({
    name: 'portcullis_runtime_decision_duration_seconds',
    help: 'Time from the message that completes a decision to its answer.',
    labelNames: ['phase'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
    registers: [this.registry],
  });
  private readonly latencyByPhase = new Map<string, { observe(seconds: number): void }>();
  readonly generation = new Gauge({
    name: 'portcullis_runtime_config_generation',
    help: 'Generation of the config in force (1 after the first load, +1 per successful reload).',
    registers: [this.registry],
  });
  readonly reloadFailures = new Counter({
    name: 'portcullis_runtime_config_reload_failures_total',
    help: 'Reloads refused (the last good config stays in force).',
    registers: [this.registry],
  });
  private readonly streams: Gauge = new Gauge({
    name: 'portcullis_runtime_streams_active',
    help: 'ext_proc streams open now.',
    registers: [this.registry],
    collect: (): void => this.streams.set(this.openStreams),
  });
  readonly jwksFailures = new Counter({
    name: 'portcullis_runtime_jwks_fetch_failures_total',
    help: 'Failed JWKS (or OIDC discovery) fetches.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'portcullis_runtime_' });
  }

  streamOpened(): void {
    this.openStreams++;
  }

  streamClosed(): void {
    this.openStreams--;
  }

  /** Counts one decision, and its latency when given. */
  decided(phase: string, result: string, reason: string, seconds?: number): void {
    let byResult = this.tallies.get(phase);
    if (!byResult) this.tallies.set(phase, (byResult = new Map()));
    let byReason = byResult.get(result);
    if (!byReason) byResult.set(result, (byReason = new Map()));
    const t = byReason.get(reason);
    if (t) t.n++;
    else byReason.set(reason, { labels: { phase, result, reason }, n: 1 });
    if (seconds === undefined) return;
    let child = this.latencyByPhase.get(phase);
    if (!child) this.latencyByPhase.set(phase, (child = this.latency.labels(phase)));
    child.observe(seconds);
  }
}
