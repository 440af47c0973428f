export { startRuntime, DEFAULT_METRICS_PORT, DEFAULT_PORT, EXT_PROC_SERVICE, type RuntimeOptions, type RunningRuntime } from './server.js';
export { ConfigError } from './config-source.js';
export { externalProcessorClient, protosRoot } from './protos.js';
export { StreamProcessor, type ProcessorDeps } from './processor.js';
