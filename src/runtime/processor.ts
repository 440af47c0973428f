import { decideEgressHeaders, signSigV4 } from './egress.js';
import { MutationBuilder, RequestHeaders } from './headers.js';
import { decideInbound, type Decision } from './inbound.js';
import { redactHeaders, type Logger } from './log.js';
import type { ProcessingRequest, ProcessingResponse, Struct } from './messages.js';
import type { RuntimeMetrics } from './metrics.js';
import type { SigV4Signer } from './sigv4.js';
import { lookupRoute, type RouteHandler, type Snapshot } from './snapshot.js';

export interface ProcessorDeps {
  /** The snapshot in force; read once per stream. */
  current(): Snapshot;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  readonly now?: () => number;
}

/** A message that breaks the protocol: the stream ends with INVALID_ARGUMENT (Envoy then fails closed). */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 500: 'internal error', 503: 'unavailable' };

/** Dynamic metadata as a google.protobuf.Struct of namespaces, each a Struct of string values. */
export function toStruct(metadata: Record<string, Record<string, string>>): NonNullable<ProcessingResponse['dynamic_metadata']> {
  return {
    fields: Object.fromEntries(
      Object.entries(metadata).map(([ns, values]) => [
        ns,
        { structValue: { fields: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { stringValue: v }])) } },
      ]),
    ),
  };
}

export function immediate(status: number, reason: string, headers: Record<string, string> = {}): ProcessingResponse {
  const m = new MutationBuilder().set('content-type', 'application/json');
  for (const [k, v] of Object.entries(headers)) m.set(k, v);
  return {
    immediate_response: {
      status: { code: status },
      headers: m.build(),
      body: Buffer.from(`${JSON.stringify({ error: STATUS_TEXT[status] ?? 'denied' })}\n`),
      details: `portcullis_${reason}`,
    },
  };
}

/** Envoy's attribute (sent in the first message under the ext_proc filter's name) as a string. */
export function attribute(attributes: Record<string, Struct> | undefined, name: string): string | undefined {
  if (!attributes) return undefined;
  const own = attributes['envoy.filters.http.ext_proc']?.fields?.[name]?.stringValue;
  if (own !== undefined) return own;
  for (const s of Object.values(attributes)) {
    const v = s?.fields?.[name]?.stringValue;
    if (v !== undefined) return v;
  }
  return undefined;
}

const PHASES = ['request_headers', 'request_body', 'request_trailers', 'response_headers', 'response_body', 'response_trailers'] as const;

/**
 * One ext_proc stream, that is one HTTP request. The request headers message picks the snapshot and the
 * route; everything after follows from it. Messages of phases the runtime has nothing to do with are
 * answered with an empty CONTINUE.
 */
export class StreamProcessor {
  private snapshot?: Snapshot;
  private route?: RouteHandler;
  /** The request's headers: kept past their own message only while a signature over the body is pending. */
  private headers?: RequestHeaders;
  private sawHeaders = false;
  private signing?: { signer: SigV4Signer; mutation: MutationBuilder; reason: string };
  private started = 0;

  constructor(private readonly deps: ProcessorDeps) {}

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  /**
   * The answer to one message; synchronous when nothing had to wait (an API key, a token already
   * verified), a promise otherwise. Throws ProtocolError (synchronously or as the rejection).
   */
  onMessage(req: ProcessingRequest): ProcessingResponse | Promise<ProcessingResponse> {
    switch (req.request ?? PHASES.find((p) => req[p] !== undefined && req[p] !== null)) {
      case 'request_headers': {
        if (this.sawHeaders) throw new ProtocolError('request headers sent twice on one stream');
        this.sawHeaders = true;
        const res = this.onRequestHeaders(req);
        return res instanceof Promise ? res.then((r) => this.headersAnswered(r)) : this.headersAnswered(res);
      }
      case 'request_body':
        return this.onRequestBody(req);
      case 'request_trailers':
        return { request_trailers: {} };
      case 'response_headers':
        return { response_headers: {} };
      case 'response_body':
        return { response_body: {} };
      case 'response_trailers':
        return { response_trailers: {} };
      default:
        throw new ProtocolError('a ProcessingRequest without any of request_headers, request_body, … set');
    }
  }

  /** The request's headers are let go once answered, unless a signature over the body still needs them. */
  private headersAnswered(res: ProcessingResponse): ProcessingResponse {
    if (!this.signing) this.headers = undefined;
    return res;
  }

  private decided(phase: string, result: 'allow' | 'deny' | 'error', reason: string, extra?: Record<string, unknown>): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.deps.metrics.decided(phase, result, reason, seconds);
    const log = this.deps.logger;
    const route = this.route?.key;
    if (result === 'allow') {
      if (log.isLevelEnabled('debug')) {
        const s = this.snapshot!;
        log.debug({ phase, result, reason, route, ...extra, headers: redactHeaders(this.headers!, s.sensitiveHeaders, s.sensitiveQueryParams) }, 'decision');
      }
    } else log.info({ phase, result, reason, route, ...extra }, 'decision');
  }

  private onRequestHeaders(req: ProcessingRequest): ProcessingResponse | Promise<ProcessingResponse> {
    this.started = performance.now();
    const snapshot = (this.snapshot = this.deps.current());
    const headers = (this.headers = new RequestHeaders(req.request_headers?.headers));
    const routeName = attribute(req.attributes, "xds.route_name");
    const route = (this.route = lookupRoute(snapshot, routeName));
    if (!route) {
      this.decided('unknown', 'deny', routeName ? 'unknown_route' : 'no_route_attribute', { routeName });
      return immediate(503, routeName ? 'unknown_route' : 'no_route_attribute');
    }
    switch (route.kind) {
      case 'passthrough': {
        this.decided('passthrough', 'allow', 'passthrough_route');
        return { request_headers: {} };
      }
      case 'agent': {
        const sourceAddress = attribute(req.attributes, 'source.address');
        const d = decideInbound(route.agent, { headers, nowMs: this.now(), ...(sourceAddress !== undefined && { sourceAddress }) });
        return d instanceof Promise ? d.then((x) => this.inboundAnswer(x)) : this.inboundAnswer(d);
      }
      case 'egress': {
        const d = decideEgressHeaders(route.egress, headers);
        if (d.kind === 'deny') {
          this.decided('egress', 'deny', d.reason, { status: d.status });
          return immediate(d.status, d.reason);
        }
        if (d.kind === 'continue') {
          this.decided('egress', 'allow', d.reason);
          return { request_headers: { response: { header_mutation: d.mutation.build() } }, ...(d.metadata && { dynamic_metadata: toStruct(d.metadata) }) };
        }
        if (req.request_headers?.end_of_stream) {
          return signSigV4(d.signer, headers, Buffer.alloc(0), d.mutation, new Date(this.now())).then(() => {
            this.decided('egress', 'allow', d.reason);
            return { request_headers: { response: { header_mutation: d.mutation.build() } } };
          });
        }
        // the body follows (the route's processing mode buffers it); sign once it is complete
        // foreign credentials go now; the signature follows in the body answer
        this.signing = { signer: d.signer, mutation: new MutationBuilder(), reason: d.reason };
        return { request_headers: { response: { header_mutation: d.mutation.build() } } };
      }
    }
  }

  private inboundAnswer(d: Decision): ProcessingResponse {
    if (d.kind === 'deny') {
      this.decided('inbound', 'deny', d.reason, { status: d.status });
      return immediate(d.status, d.reason, d.headers);
    }
    this.decided('inbound', 'allow', d.reason, d.userId !== undefined ? { userId: d.userId } : undefined);
    return { request_headers: { response: { header_mutation: d.mutation.build() } } };
  }

  private async onRequestBody(req: ProcessingRequest): Promise<ProcessingResponse> {
    const signing = this.signing;
    if (!signing) return { request_body: {} };
    if (!req.request_body?.end_of_stream) {
      // a streamed body: its headers are already upstream, unsigned — refuse rather than send them on
      this.signing = undefined;
      this.decided('egress', 'error', 'sigv4_body_not_buffered');
      return immediate(500, 'sigv4_body_not_buffered');
    }
    this.signing = undefined;
    const body = req.request_body.body ?? Buffer.alloc(0);
    await signSigV4(signing.signer, this.headers!, body, signing.mutation, new Date(this.now()));
    this.decided('egress', 'allow', signing.reason);
    return { request_body: { response: { header_mutation: signing.mutation.build() } } };
  }
}
