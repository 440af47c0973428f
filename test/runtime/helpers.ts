import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { RUNTIME_API_VERSION, type RuntimeConfigInput } from '../../src/contract/index.js';
import { externalProcessorClient } from '../../src/runtime/index.js';
import type { ProcessingRequest, ProcessingResponse } from '../../src/runtime/messages.js';

export function tempDir(prefix = 'portcullis-rt-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let stamp = 0;
/**
 * Writes a Secret the way the kubelet's atomic writer does: files in a timestamped directory, `..data`
 * pointing at it (swapped by rename), and one symlink per key into `..data`.
 */
export function writeSecret(root: string, namespace: string, name: string, data: Record<string, string>): void {
  const dir = join(root, namespace, name);
  mkdirSync(dir, { recursive: true });
  const ts = `..2026_01_01_00_00_${String(++stamp).padStart(6, '0')}`;
  mkdirSync(join(dir, ts));
  for (const [k, v] of Object.entries(data)) writeFileSync(join(dir, ts, k), v);
  let old: string | undefined;
  try {
    old = readlinkSync(join(dir, '..data'));
  } catch {
    // first write
  }
  symlinkSync(ts, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    if (!(entry in data)) unlinkSync(join(dir, entry));
  }
  for (const k of Object.keys(data)) {
    try {
      symlinkSync(join('..data', k), join(dir, k));
    } catch {
      // already linked
    }
  }
  if (old) rmSync(join(dir, old), { recursive: true, force: true });
}

/** Writes the config atomically (temp file + rename), as a ConfigMap update would appear. */
export function writeConfig(path: string, config: Omit<RuntimeConfigInput, 'apiVersion'> & { apiVersion?: string }): void {
  writeFileSync(`${path}.tmp`, JSON.stringify({ apiVersion: RUNTIME_API_VERSION, ...config }, null, 2));
  renameSync(`${path}.tmp`, path);
}

export const routeName = (key: string, rule = 0) => {
  const [ns, name] = key.split('/');
  return `httproute/${ns}/${name}/rule/${rule}/match/0/agents_example_com`;
};

export function attrs(route: string | undefined, source?: string): ProcessingRequest['attributes'] {
  const fields: Record<string, { stringValue: string }> = {};
  if (route !== undefined) fields['xds.route_name'] = { stringValue: route };
  if (source !== undefined) fields['source.address'] = { stringValue: source };
  return { 'envoy.filters.http.ext_proc': { fields } };
}

export type Headers = Record<string, string | string[]>;

export function headersMessage(headers: Headers, route: string | undefined, options: { source?: string; endOfStream?: boolean } = {}): ProcessingRequest {
  const list = Object.entries({ ':method': 'POST', ':path': '/v1/chat', ':authority': 'agents.example.com', ...headers }).flatMap(([key, v]) =>
    (Array.isArray(v) ? v : [v]).map((one) => ({ key, raw_value: Buffer.from(one) })),
  );
  return {
    request_headers: { headers: { headers: list }, end_of_stream: options.endOfStream ?? false },
    attributes: attrs(route, options.source),
  } as ProcessingRequest;
}

/** The header mutation of a headers/body answer as plain values. */
export function mutationOf(res: ProcessingResponse | undefined): { set: Record<string, string>; remove: string[]; raw: unknown[] } {
  const common = res?.request_headers?.response ?? res?.request_body?.response;
  const m = common?.header_mutation;
  const set: Record<string, string> = {};
  for (const o of m?.set_headers ?? []) {
    const h = o.header as { key: string; raw_value?: Buffer; value?: string };
    set[h.key] = Buffer.from(h.raw_value ?? []).toString('utf8');
  }
  return { set, remove: [...(m?.remove_headers ?? [])], raw: m?.set_headers ?? [] };
}

export function statusOf(res: ProcessingResponse | undefined): number | 'continue' {
  if (res?.immediate_response) {
    const code = res.immediate_response.status.code as unknown;
    return typeof code === 'number' ? code : HTTP_CODES[code as string] ?? -1;
  }
  return 'continue';
}
const HTTP_CODES: Record<string, number> = { BadRequest: 400, Unauthorized: 401, Forbidden: 403, ServiceUnavailable: 503, InternalServerError: 500 };

export function immediateHeader(res: ProcessingResponse | undefined, name: string): string | undefined {
  const h = res?.immediate_response?.headers?.set_headers?.find((o) => o.header.key === name);
  return h ? Buffer.from(h.header.raw_value).toString('utf8') : undefined;
}

/** A real gRPC client of ExternalProcessor, built from the same protos. */
export class ExtProcClient {
  private readonly client: grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> };

  constructor(port: number) {
    const Client = externalProcessorClient();
    this.client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as never;
  }

  /** One stream (one HTTP request): sends the messages one by one, each after the previous answer. */
  async exchange(messages: ProcessingRequest[]): Promise<ProcessingResponse[]> {
    const call = this.client.Process();
    const out: ProcessingResponse[] = [];
    const waiters: ((r: ProcessingResponse | Error) => void)[] = [];
    call.on('data', (r: ProcessingResponse) => waiters.shift()?.(r));
    const ended = new Promise<void>((resolve, reject) => {
      call.on('error', (e) => {
        waiters.shift()?.(e);
        reject(e);
      });
      call.on('end', () => resolve());
    });
    ended.catch(() => undefined);
    for (const m of messages) {
      const next = new Promise<ProcessingResponse | Error>((resolve) => waiters.push(resolve));
      call.write(m);
      const r = await next;
      if (r instanceof Error) throw r;
      out.push(r);
      if (r.immediate_response) break;
    }
    call.end();
    await ended;
    return out;
  }

  /** A stream left open (a request whose messages have not all come yet), for the caller to end. */
  open(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> {
    return this.client.Process();
  }

  async one(message: ProcessingRequest): Promise<ProcessingResponse> {
    return (await this.exchange([message]))[0]!;
  }

  close(): void {
    this.client.close();
  }
}

/** A pino destination that keeps every line, to search logs for secrets. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    cb();
  }
  text(): string {
    return this.lines.join('\n');
  }
  records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
