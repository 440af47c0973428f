/**
 * A server process for bench/runtime.ts: `runtime CONFIG` runs the portcullis runtime, `noop` a no-op
 * ExternalProcessor on the same stack (@grpc/grpc-js + the same protos) — the floor of this design.
 * Reports its port to the parent over IPC, and its RSS when asked.
 */
import * as grpc from '@grpc/grpc-js';
import { startRuntime } from '../src/runtime/index.js';
import { externalProcessorService } from '../src/runtime/protos.js';

const [mode, config] = process.argv.slice(2);
const send = (m: unknown) => process.send!(m);

if (mode === 'runtime') {
  const rt = await startRuntime({ configPath: config!, port: 0, metricsPort: 0, bind: '127.0.0.1', logLevel: 'warn' });
  send({ port: rt.port, rss: process.memoryUsage().rss });
} else {
  const server = new grpc.Server();
  server.addService(externalProcessorService(), {
    Process: (call: grpc.ServerDuplexStream<{ request_headers?: unknown }, unknown>) => {
      call.on('data', () => call.write({ request_headers: {} }));
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  send({ port, rss: process.memoryUsage().rss });
}
process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'rss') {
    global.gc?.();
    send({ rss: process.memoryUsage().rss });
  }
  if (m.cmd === 'exit') process.exit(0);
});
