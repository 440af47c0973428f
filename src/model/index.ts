export * from './names.js';
export * from './identity.js';
export * from './auth.js';
export * from './gateway.js';
export * from './agent.js';
export * from './fleet.js';
export * from './resolve.js';
export * from './listeners.js';
