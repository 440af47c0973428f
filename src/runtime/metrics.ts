import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The runtime's Prometheus metrics, in a registry of its own (several runtimes may share a process in tests). */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'portcullis_runtime_decisions_total',
    help: 'Decisions by phase (inbound, egress, passthrough), result (allow, deny, error) and reason.',
    labelNames: ['phase', 'result', 'reason'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'portcullis_runtime_decision_duration_seconds',
    help: 'Time from the message that completes a decision to its answer.',
    labelNames: ['phase'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
    registers: [this.registry],
  });
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
  readonly streams = new Gauge({
    name: 'portcullis_runtime_streams_active',
    help: 'ext_proc streams open now.',
    registers: [this.registry],
  });
  readonly jwksFailures = new Counter({
    name: 'portcullis_runtime_jwks_fetch_failures_total',
    help: 'Failed JWKS (or OIDC discovery) fetches.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'portcullis_runtime_' });
  }
}
