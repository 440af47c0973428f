import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type CliIo, type Command } from '../io.js';

const OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  'metrics-port': { type: 'string' },
  bind: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const runtimeCommand: Command = {
  name: 'runtime',
  summary: 'run the portcullis ext_proc runtime (what Envoy cannot do natively)',
  help: `usage: portcullis runtime --config FILE [--port 9002] [--metrics-port 9090] [--bind 0.0.0.0]

Serves Envoy's ExternalProcessor (envoy.service.ext_proc.v3) and grpc.health.v1.Health on --port, and
Prometheus metrics (/metrics) and HTTP probes (/healthz, /readyz) on --metrics-port. FILE is the runtime
contract (portcullis.dev/runtime/v1, JSON) that portcullis synth writes into a ConfigMap; it and the
Secrets it names are reloaded when they change (a bad reload keeps the last good config). Logs are JSON
on stdout. SIGTERM drains: no new streams, open ones finish, then exit 0.

options:
  --config FILE         the runtime contract (required)
  --port N              gRPC port (default 9002)
  --metrics-port N      metrics and probe port (default 9090)
  --bind ADDRESS        address to listen on (default 0.0.0.0)
  --log-level LEVEL     trace, debug, info, warn or error (default info)
  -h, --help            show this help

exit codes: 0 stopped by SIGTERM or SIGINT, 1 the config could not be loaded, 2 usage error
`,
  run,
};

function portOf(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`${option} must be a port number (0-65535), got "${value}"`);
  return Number(value);
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS, 'runtime');
  if (values.help) {
    io.stdout.write(runtimeCommand.help);
    return EXIT.ok;
  }
  if (!values.config) throw new UsageError('missing --config FILE: pass the runtime contract, e.g. "portcullis runtime --config /etc/portcullis/runtime.json"');
  const level = values['log-level'] ?? 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level)) throw new UsageError(`--log-level must be trace, debug, info, warn or error, got "${level}"`);
  // loaded here so that synth and validate do not pay for gRPC
  const { startRuntime, ConfigError } = await import('../../runtime/index.js');
  let runtime;
  try {
    runtime = await startRuntime({
      configPath: values.config,
      port: portOf(values.port, '--port', 9002),
      metricsPort: portOf(values['metrics-port'], '--metrics-port', 9090),
      bind: values.bind ?? '0.0.0.0',
      logLevel: level,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`portcullis: runtime: cannot load the config ${err.file}:\n${err.reasons.map((r) => `  ${r}\n`).join('')}`);
      return EXIT.problems;
    }
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || (err instanceof Error && /No address added|EADDRINUSE/.test(err.message))) {
      io.stderr.write(`portcullis: runtime: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT.problems;
    }
    throw err;
  }
  const running = runtime;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      running.logger.info({ signal }, 'signal received');
      void running.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  return EXIT.ok;
}
