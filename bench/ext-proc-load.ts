import type { ClientHttp2Session } from 'node:http2';
import { externalProcessorClient } from '../src/runtime/protos.js';

/**
 * What the benches' load generators share: they speak gRPC over node's own HTTP/2 client as Envoy would
 * (one stream per request, the request message, the answer, end of stream), each request encoded once.
 */
const requestSerialize = externalProcessorClient().service.Process!.requestSerialize;

/** A request message as a gRPC frame: uncompressed flag, big-endian length, the protobuf bytes. */
export function grpcFrame(message: unknown): Buffer {
  const bytes = Buffer.from(requestSerialize(message));
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt32BE(bytes.length, 1);
  bytes.copy(frame, 5);
  return frame;
}

/** The HTTP/2 request headers of one ExternalProcessor stream. */
export const STREAM_HEADERS = { ':method': 'POST', ':path': '/envoy.service.ext_proc.v3.ExternalProcessor/Process', 'content-type': 'application/grpc', te: 'trailers' };

/** The tag of ProcessingResponse.request_headers (field 1, length-delimited): a CONTINUE, not an immediate response. */
const REQUEST_HEADERS_ANSWER = 0x0a;

/**
 * One simulated HTTP request on `session`: a stream, the request frame, the answer, end of stream. Reads
 * only the answer's first field. Resolves with the time (performance.now()) the answer came; rejects when
 * it is not a CONTINUE (`what` names the server) or the stream closes without one.
 */
export function exchange(session: ClientHttp2Session, frame: Buffer, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request(STREAM_HEADERS);
    let answer: Buffer | undefined;
    stream.on('data', (chunk: Buffer) => {
      if (answer && answer.length >= 6) return; // answered: the rest is the end of the stream
      answer = answer ? Buffer.concat([answer, chunk]) : chunk;
      if (answer.length < 6) return;
      const at = performance.now();
      stream.end();
      if (answer[5] !== REQUEST_HEADERS_ANSWER) reject(new Error(`${what}: not a CONTINUE (denied?)`));
      else resolve(at);
    });
    stream.on('close', () => {
      if (!answer || answer.length < 6) reject(new Error(`${what}: stream closed without an answer (${stream.rstCode ?? 'no RST'})`));
    });
    stream.on('error', reject);
    stream.write(frame);
  });
}

/** A closed loop: `concurrency` requests always in flight for `seconds`; resolves with how many completed. */
export async function closedLoopCount(concurrency: number, seconds: number, request: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await request();
        done++;
      }
    }),
  );
  return done;
}
