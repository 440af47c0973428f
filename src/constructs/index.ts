export * from './auth.js';
export * from './listener.js';
export * from './ingress-gateway.js';
export * from './egress-gateway.js';
export * from './provider.js';
export * from './agent.js';
export * from './fleet.js';
export * from './app.js';
