export * from './diagnostic.js';
export * from './rule.js';
export * from './check.js';
export { RULES } from './rules/index.js';
export * from './admit.js';
