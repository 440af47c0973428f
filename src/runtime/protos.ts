import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * The vendored Envoy protos (schemas/protos of the package), found from this module's directory upwards,
 * so that the same code works from src/ (tsx, vitest), from lib/ (the built package) and from any other
 * build directory inside the package.
 */
export function protosRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas', 'protos');
    if (existsSync(join(candidate, 'envoy', 'service', 'ext_proc', 'v3', 'external_processor.proto'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`the Envoy protos are missing: no schemas/protos above ${here}`);
  }
}

/** How the messages are decoded: proto field names, enums as names, bytes as Buffers, oneof names set. */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true };

let cached: grpc.ServiceDefinition | undefined;

/** The envoy.service.ext_proc.v3.ExternalProcessor service definition (loaded once). */
export function externalProcessorService(): grpc.ServiceDefinition {
  if (!cached) {
    const def = protoLoader.loadSync('envoy/service/ext_proc/v3/external_processor.proto', { ...LOADER_OPTIONS, includeDirs: [protosRoot()] });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      envoy: { service: { ext_proc: { v3: { ExternalProcessor: grpc.ServiceClientConstructor } } } };
    };
    cached = pkg.envoy.service.ext_proc.v3.ExternalProcessor.service;
  }
  return cached;
}

/** A client constructor for the same service (tests and the load generator). */
export function externalProcessorClient(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync('envoy/service/ext_proc/v3/external_processor.proto', { ...LOADER_OPTIONS, includeDirs: [protosRoot()] });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { ext_proc: { v3: { ExternalProcessor: grpc.ServiceClientConstructor } } } };
  };
  return pkg.envoy.service.ext_proc.v3.ExternalProcessor;
}
