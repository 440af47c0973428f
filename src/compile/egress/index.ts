import type { Fleet } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { lowerAiGatewayBackend, lowerAiGatewayRoute } from './ai-gateway.js';
import { lowerEnvoyGatewayRoute } from './envoy-gateway.js';
import { budgetRules, lowerBudgets } from './budgets.js';
import { lowerEgressGateway } from './gateway.js';
import type { EgressGatewayPlan } from './plan.js';

export { lowerAgentNetworkPolicy, providerEnv } from './agent.js';
export * from './plan.js';

/** An egress gateway and its provider routes, on the target it asks for. */
export function lowerEgress(fleet: Fleet, plan: EgressGatewayPlan): EmittedObject[] {
  if (plan.gateway.target === 'ai-gateway')
    return [...lowerEgressGateway(fleet, plan), ...plan.routes.flatMap((r) => lowerAiGatewayBackend(fleet, plan, r)), ...lowerAiGatewayRoute(fleet, plan)];
  return [...lowerEgressGateway(fleet, plan), ...plan.routes.flatMap((r) => lowerEnvoyGatewayRoute(fleet, plan, r)), ...lowerBudgets(fleet, plan, budgetRules(fleet, plan))];
}
