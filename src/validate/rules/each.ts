import type { AuthMethod, Fleet } from '../../model/index.js';
import type { Finding } from '../rule.js';

/** Runs `visit` over every auth method of the given type, with its field path (`auth[i]`). */
export function forEachMethod<T extends AuthMethod['type']>(
  fleet: Fleet,
  type: T,
  visit: (method: Extract<AuthMethod, { type: T }>, field: string, agentIndex: number) => Finding[],
): Finding[] {
  return fleet.agents.flatMap((agent, agentIndex) =>
    agent.auth.flatMap((m, i) => (m.type === type ? visit(m as Extract<AuthMethod, { type: T }>, `auth[${i}]`, agentIndex) : [])),
  );
}
