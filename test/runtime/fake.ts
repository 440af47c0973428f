import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { expect } from 'vitest';
import { parseRuntimeConfig, type RuntimeConfigInput } from '../../src/contract/index.js';
import { JwksRegistry } from '../../src/runtime/jwks.js';
import { createLogger } from '../../src/runtime/log.js';
import type { ProcessingRequest, ProcessingResponse } from '../../src/runtime/messages.js';
import { RuntimeMetrics } from '../../src/runtime/metrics.js';
import { StreamProcessor } from '../../src/runtime/processor.js';
import { LOADER_OPTIONS, protosRoot } from '../../src/runtime/protos.js';
import { encodeResponse } from '../../src/runtime/wire.js';
import { buildSnapshot, type Snapshot } from '../../src/runtime/snapshot.js';
import { LogCapture } from './helpers.js';

export function snapshotOf(config: Omit<RuntimeConfigInput, 'apiVersion'>, jwks = new JwksRegistry()): Snapshot {
  const parsed = parseRuntimeConfig({ apiVersion: 'portcullis.dev/runtime/v1', ...config });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return buildSnapshot(parsed.config, jwks, 1);
}

let protobufjsSerialize: ((response: unknown) => Buffer) | undefined;
/** A ProcessingResponse as @grpc/proto-loader's own serializer (protobufjs) writes it. */
export function protobufjsBytes(response: unknown): Buffer {
  if (!protobufjsSerialize) {
    const def = protoLoader.loadSync('envoy/service/ext_proc/v3/external_processor.proto', { ...LOADER_OPTIONS, includeDirs: [protosRoot()] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { envoy: { service: { ext_proc: { v3: { ExternalProcessor: grpc.ServiceClientConstructor } } } } };
    protobufjsSerialize = pkg.envoy.service.ext_proc.v3.ExternalProcessor.service.Process!.responseSerialize;
  }
  return Buffer.from(protobufjsSerialize(response));
}

/**
 * A fake stream: the processor of one request, fed messages directly (no gRPC). Every answer is also
 * checked on the wire: the runtime's own encoder writes it, byte for byte as protobufjs would.
 */
export class FakeStreams {
  readonly logs = new LogCapture();
  readonly metrics = new RuntimeMetrics();
  private readonly logger = createLogger({ level: 'debug', destination: this.logs });

  constructor(
    public snapshot: Snapshot,
    private readonly now?: () => number,
  ) {}

  /** Sends the messages of one request, in order, and returns the answers. */
  async run(...messages: ProcessingRequest[]): Promise<ProcessingResponse[]> {
    const p = new StreamProcessor({ current: () => this.snapshot, logger: this.logger, metrics: this.metrics, ...(this.now && { now: this.now }) });
    const out: ProcessingResponse[] = [];
    for (const m of messages) {
      const r = await p.onMessage(m);
      const bytes = encodeResponse(r);
      expect(bytes, 'the runtime encodes its own answers').toBeDefined();
      expect(bytes!.equals(protobufjsBytes(r)), 'encoded as protobufjs would').toBe(true);
      out.push(r);
      if (r.immediate_response) break;
    }
    return out;
  }

  async one(message: ProcessingRequest): Promise<ProcessingResponse> {
    return (await this.run(message))[0]!;
  }
}
