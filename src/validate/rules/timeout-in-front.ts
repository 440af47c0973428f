import { resolveGateway } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const timeoutInFront: Rule = {
  code: 'PC008',
  severity: 'error',
  title: 'agent timeout longer than a proxy timeout in front of it',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      const gateway = agent.expose && resolveGateway(fleet, agent.expose.gateway)?.gateway;
      if (!gateway) return;
      const limits: [string, number | undefined][] = [
        ['timeouts.requestSeconds', gateway.timeouts.requestSeconds],
        ['timeouts.streamIdleSeconds', gateway.timeouts.streamIdleSeconds],
        ['timeouts.idleSeconds', gateway.timeouts.idleSeconds],
        ['frontProxyTimeoutSeconds', gateway.frontProxyTimeoutSeconds],
      ];
      for (const [what, seconds] of limits) {
        if (seconds !== undefined && seconds < agent.timeoutSeconds)
          found.push({
            entity: agentRef(i),
            field: 'timeoutSeconds',
            message: `the agent may take ${agent.timeoutSeconds}s but gateway ${gateway.namespace}/${gateway.name} ${what} is ${seconds}s, so slow answers are cut off in front of it`,
            hint: `raise the gateway's ${what} to at least ${agent.timeoutSeconds}, or lower the agent's timeoutSeconds`,
          });
      }
    });
    return found;
  },
};
