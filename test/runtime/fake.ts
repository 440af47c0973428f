import { expect } from 'vitest';
import { parseRuntimeConfig, type RuntimeConfigInput } from '../../src/contract/index.js';
import { JwksRegistry } from '../../src/runtime/jwks.js';
import { createLogger } from '../../src/runtime/log.js';
import type { ProcessingRequest, ProcessingResponse } from '../../src/runtime/messages.js';
import { RuntimeMetrics } from '../../src/runtime/metrics.js';
import { StreamProcessor } from '../../src/runtime/processor.js';
import { encodeResponse, encodeResponseLeniently } from '../../src/runtime/protos.js';
import { buildSnapshot, type Snapshot } from '../../src/runtime/snapshot.js';
import { LogCapture } from './helpers.js';

export function snapshotOf(config: Omit<RuntimeConfigInput, 'apiVersion'>, jwks = new JwksRegistry()): Snapshot {
  const parsed = parseRuntimeConfig({ apiVersion: 'portcullis.dev/runtime/v1', ...config });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return buildSnapshot(parsed.config, jwks, 1);
}

/** A fake stream: the processor of one request, fed messages directly (no gRPC). */
export class FakeStreams {
  readonly logs = new LogCapture();
  readonly metrics = new RuntimeMetrics();
  private readonly logger = createLogger({ level: 'debug', destination: this.logs });

  constructor(
    public snapshot: Snapshot,
    private readonly now?: () => number,
  ) {}

  /**
   * Sends the messages of one request, in order, and returns the answers. Each answer must encode to the
   * same bytes whether or not it is first copied into protobufjs messages (the server encodes without).
   */
  async run(...messages: ProcessingRequest[]): Promise<ProcessingResponse[]> {
    const p = new StreamProcessor({ current: () => this.snapshot, logger: this.logger, metrics: this.metrics, ...(this.now && { now: this.now }) });
    const out: ProcessingResponse[] = [];
    for (const m of messages) {
      const r = await p.onMessage(m);
      expect(encodeResponse(r).equals(encodeResponseLeniently(r)), 'the answer is not in the shape protobufjs encodes').toBe(true);
      out.push(r);
      if (r.immediate_response) break;
    }
    return out;
  }

  async one(message: ProcessingRequest): Promise<ProcessingResponse> {
    return (await this.run(message))[0]!;
  }
}
