import type { Fleet } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { agentLabels } from './meta.js';
import { providerEnv } from './egress/index.js';
import type { AgentPlan } from './plan.js';

export function lowerWorkload(fleet: Fleet, plan: AgentPlan): EmittedObject {
  const a = plan.agent;
  return {
    owner: { kind: 'agent', index: plan.index },
    id: 'workload',
    kind: 'Workload',
    props: {
      name: a.name,
      namespace: a.namespace,
      labels: agentLabels(fleet, a),
      image: a.image,
      port: a.port,
      replicas: a.replicas,
      resources: a.resources,
      env: Object.fromEntries(Object.entries({ ...a.env, ...providerEnv(plan.grants) }).sort(([x], [y]) => x.localeCompare(y))),
      secretEnv: a.secretEnv,
    },
  };
}
