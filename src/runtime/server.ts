import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type pino from 'pino';
import { ConfigSource } from './config-source.js';
import { JwksRegistry } from './jwks.js';
import { createLogger, type Logger } from './log.js';
import type { ProcessingRequest, ProcessingResponse } from './messages.js';
import { RuntimeMetrics } from './metrics.js';
import { ProtocolError, StreamProcessor, type ProcessorDeps } from './processor.js';
import { externalProcessorService } from './protos.js';
import type { Snapshot } from './snapshot.js';

export const EXT_PROC_SERVICE = 'envoy.service.ext_proc.v3.ExternalProcessor';
export const DEFAULT_PORT = 9002;
export const DEFAULT_METRICS_PORT = 9090;

/**
 * The runtime's gRPC server options (bench/runtime.ts gives its no-op server the same). Channelz is off:
 * nothing serves it, and it would track every call with objects of its own.
 */
export const GRPC_SERVER_OPTIONS: grpc.ServerOptions = { 'grpc.max_receive_message_length': 8 * 1024 * 1024, 'grpc.enable_channelz': 0 };

export interface RuntimeOptions {
  /** The contract file (JSON). */
  readonly configPath: string;
  /** gRPC port; 0 picks a free one. @default 9002 */
  readonly port?: number;
  /** Metrics and HTTP probe port; 0 picks a free one. @default 9090 */
  readonly metricsPort?: number;
  /** Address both servers listen on. @default 0.0.0.0 */
  readonly bind?: string;
  /** @default info */
  readonly logLevel?: string;
  /** Where logs go. @default stdout */
  readonly logDestination?: pino.DestinationStream;
  /** How long a drain waits for open streams before cutting them. @default 15000 */
  readonly drainTimeoutMs?: number;
}

export interface RunningRuntime {
  readonly port: number;
  readonly metricsPort: number;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  current(): Snapshot;
  /** Looks for a config or secret change now (the watchers do this by themselves). */
  checkConfig(): boolean;
  /** Graceful drain: stop accepting, let open streams finish, close everything. */
  stop(): Promise<void>;
}

function hostPort(bind: string, port: number): string {
  return bind.includes(':') && !bind.startsWith('[') ? `[${bind}]:${port}` : `${bind}:${port}`;
}

/**
 * Starts the runtime: loads the config (throws ConfigError when the first load fails), serves
 * ExternalProcessor and grpc.health.v1.Health on one gRPC port, metrics and HTTP probes on another.
 */
export async function startRuntime(options: RuntimeOptions): Promise<RunningRuntime> {
  const logger = createLogger({ level: options.logLevel ?? 'info', ...(options.logDestination && { destination: options.logDestination }) });
  const metrics = new RuntimeMetrics();
  const config = new ConfigSource(options.configPath, new JwksRegistry(), logger, metrics);
  const bind = options.bind ?? '0.0.0.0';

  const health = new HealthImplementation({ '': 'SERVING', [EXT_PROC_SERVICE]: 'SERVING' });
  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  health.addToServer(server);
  const deps: ProcessorDeps = { current: () => config.current(), logger, metrics };
  server.addService(externalProcessorService(), {
    Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => serveStream(call, deps),
  });

  let grpcPort: number;
  try {
    grpcPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(hostPort(bind, options.port ?? DEFAULT_PORT), grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
  } catch (err) {
    config.close();
    throw err;
  }

  let serving = true;
  const http: HttpServer = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      res.writeHead(serving ? 200 : 503, { 'content-type': 'text/plain' }).end(serving ? 'ready\n' : 'draining\n');
    } else res.writeHead(404).end();
  });
  let metricsPort: number;
  try {
    metricsPort = await new Promise<number>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.metricsPort ?? DEFAULT_METRICS_PORT, bind, () => resolve((http.address() as AddressInfo).port));
    });
  } catch (err) {
    config.close();
    server.forceShutdown();
    throw err;
  }

  // the heap limit shows whether node runs with the image's heap settings
  const heapLimitMiB = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  logger.info({ port: grpcPort, metricsPort, bind, generation: config.current().generation, routes: config.current().routes.size, heapLimitMiB }, 'portcullis runtime serving');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      serving = false;
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(EXT_PROC_SERVICE, 'NOT_SERVING');
      config.close();
      logger.info('draining: no new streams; waiting for open ones');
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          logger.warn('drain timeout: closing the streams still open');
          server.forceShutdown();
          resolve();
        }, options.drainTimeoutMs ?? 15_000);
        server.tryShutdown(() => {
          clearTimeout(cut);
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      logger.info('stopped');
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    })();
    return stopping;
  };

  return {
    port: grpcPort,
    metricsPort,
    logger,
    metrics,
    current: () => config.current(),
    checkConfig: () => config.check(),
    stop,
  };
}

/**
 * One ext_proc stream: messages answered in order, one at a time. The stream's state is let go as soon as
 * the stream ends, listeners included: grpc-js's call object outlives it (node's HTTP/2 stream behind it is
 * only freed by a full GC), and whatever the call still reaches (the listeners, this object, the
 * processor, the request's headers) would go with it into the old generation, to be marked and swept
 * again there. Let go at the end of the stream, it dies young: some 670 bytes per stream fewer promoted
 * (`BENCH_HEAP_PROF_PROMOTED=1 npm run bench:runtime`).
 */
class ExtProcStream {
  private processor: StreamProcessor | undefined;
  /** The answers still being made, when one had to wait: later messages queue behind it, in order. */
  private queue: Promise<void> | undefined;
  private failed = false;
  // the call's listeners: the only closures a stream makes
  private readonly onData = (req: ProcessingRequest) => this.data(req);
  private readonly onEnd = () => this.afterAnswers(() => this.ended());
  private readonly onClosed = () => this.finish();

  constructor(
    private readonly call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>,
    private readonly deps: ProcessorDeps,
  ) {
    deps.metrics.streamOpened();
    this.processor = new StreamProcessor(deps);
    call.on('data', this.onData);
    call.on('end', this.onEnd);
    call.on('error', this.onClosed);
    call.on('cancelled', this.onClosed);
  }

  private data(req: ProcessingRequest): void {
    if (this.queue) this.settleQueue(this.queue.then(() => this.answer(req)));
    else {
      // nothing in the making (the usual case): answered now, without a closure to wait with
      const waiting = this.answer(req);
      if (waiting) this.settleQueue(waiting);
    }
  }

  private ended(): undefined {
    if (!this.failed) this.call.end();
    this.finish();
    return undefined;
  }

  private finish(): void {
    if (!this.processor) return;
    this.processor = undefined;
    this.queue = undefined;
    this.deps.metrics.streamClosed();
    // grpc-js keeps an 'error' listener of its own: an error after this is not unhandled
    const call = this.call;
    call.removeListener('data', this.onData);
    call.removeListener('end', this.onEnd);
    call.removeListener('error', this.onClosed);
    call.removeListener('cancelled', this.onClosed);
  }

  private fail(err: unknown): void {
    this.failed = true;
    const protocol = err instanceof ProtocolError;
    this.deps.metrics.decided('stream', 'error', protocol ? 'protocol_error' : 'internal_error');
    this.deps.logger[protocol ? 'warn' : 'error']({ reason: err instanceof Error ? err.message : String(err) }, 'stream failed');
    this.call.emit('error', {
      code: protocol ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL,
      details: protocol ? (err as Error).message : 'internal error',
    });
    this.finish();
  }

  private write(res: ProcessingResponse): void {
    const call = this.call;
    try {
      if (!call.destroyed && call.writable) call.write(res);
    } catch (err) {
      this.fail(err); // an answer grpc-js cannot send: the stream ends, Envoy fails closed
    }
  }

  /** Answers one message: at once when the processor could, else once its answer is ready. */
  private answer(req: ProcessingRequest): Promise<void> | undefined {
    const p = this.processor;
    if (this.failed || !p) return undefined;
    let res: ProcessingResponse | Promise<ProcessingResponse>;
    try {
      res = p.onMessage(req);
    } catch (err) {
      this.fail(err);
      return undefined;
    }
    if (!(res instanceof Promise)) {
      this.write(res);
      return undefined;
    }
    return res.then(
      (r) => this.write(r),
      (err: unknown) => this.fail(err),
    );
  }

  /** Runs `then` after every answer in the making, or now when there is none. */
  private afterAnswers(then: () => Promise<void> | undefined): void {
    if (!this.queue) {
      const waiting = then();
      if (waiting) this.settleQueue(waiting);
    } else this.settleQueue(this.queue.then(then));
  }

  private settleQueue(waiting: Promise<void>): void {
    const q: Promise<void> = waiting.then(() => {
      if (this.queue === q) this.queue = undefined;
    });
    this.queue = q;
  }
}

/** Serves one ExternalProcessor stream (exported for the tests, which watch grpc-js's call object). */
export function serveStream(call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>, deps: ProcessorDeps): void {
  new ExtProcStream(call, deps);
}
