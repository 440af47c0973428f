import type { Agent } from './agent.js';
import type { IngressGateway, Listener } from './gateway.js';

/**
 * The listeners an exposed agent's route attaches to: the ones it names, else every HTTPS listener,
 * else (a gateway with no HTTPS listener) every listener.
 */
export function attachedListeners(gateway: IngressGateway, agent: Agent): Listener[] {
  const named = agent.expose?.listeners;
  if (named) return gateway.listeners.filter((l) => named.includes(l.name));
  const https = gateway.listeners.filter((l) => l.protocol === 'HTTPS');
  return https.length > 0 ? https : gateway.listeners;
}
