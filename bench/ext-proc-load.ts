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
