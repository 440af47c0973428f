export * from './runtime-config.js';
