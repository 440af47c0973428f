import { agentGateway } from '../../model/index.js';
import { attachedListeners } from '../../model/listeners.js';
import type { Rule } from '../rule.js';
import { agentRef } from '../rule.js';

export const plaintextListener: Rule = {
  code: 'PC014',
  severity: 'warning',
  title: 'credentials accepted over plaintext HTTP',
  check(fleet) {
    return fleet.agents.flatMap((agent, i) => {
      const gateway = agentGateway(fleet, agent);
      if (!gateway || agent.auth.length === 0) return [];
      const plain = attachedListeners(gateway, agent).filter((l) => l.protocol === 'HTTP');
      return plain.length === 0
        ? []
        : [
            {
              entity: agentRef(i),
              field: 'expose.listeners',
              message: `agent is reachable on plaintext listener(s) ${plain.map((l) => l.name).join(', ')}, so tokens and keys cross the network in clear text`,
              hint: 'attach it to an HTTPS listener only, or acknowledge PC014 where TLS ends in front of the gateway',
            },
          ];
    });
  },
};
