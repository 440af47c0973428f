import type { Fleet } from '../model/index.js';
import type { EmittedObject } from './emitted.js';
import { lowerAgentNetworkPolicy, lowerEgress } from './egress/index.js';
import { lowerSecretGrants } from './egress/secret-grants.js';
import { lowerInbound } from './inbound/index.js';
import { lowerGateway } from './ingress.js';
import { planFleet, type FleetPlan } from './plan.js';
import { lowerQuotas } from './quota.js';
import { lowerRoute } from './route.js';
import { lowerRuntimeGrant } from './runtime-grant.js';
import { runtimeContract } from './runtime/contract.js';
import { lowerRuntimeWorkload, runtimeArgs } from './runtime/workload.js';
import { lowerWorkload } from './workload.js';
import { RuntimeConfig, type RuntimeConfigInput } from '../contract/index.js';

export * from './emitted.js';
export * from './plan.js';
export { knownJwksUri } from './jwks.js';
export { renderSecretsMarkdown, secretInstructions, type SecretInstruction } from './secrets.js';
export { runtimeDockerfile, runtimeDockerignore, runtimeTarball, PUBLISHED_LOCKFILE, RUNTIME_ENTRYPOINT, RUNTIME_IMAGE_ENV, RUNTIME_INSTALL_DIR } from './runtime/image.js';
export type { RuntimePackage } from './runtime/image.js';
export { contractText } from './runtime/workload.js';
export { RUNTIME_HEAP_GROWING_PERCENT, RUNTIME_MEMORY_LIMIT_MIB, RUNTIME_NODE_ENV, RUNTIME_NODE_FLAGS, RUNTIME_OLD_SPACE_MIB, RUNTIME_SEMI_SPACE_MIB } from './runtime/process.js';
export { runtimeContract, runtimeSecretName } from './runtime/contract.js';
export { renderReport, type ReportFleet } from './report.js';
export { explainAgent, type AgentExplanation, type MethodExplanation, type ProviderExplanation } from './explain.js';
export type { EgressGatewayPlan, GrantPlan, ProviderRoutePlan } from './egress/index.js';

export interface CompileResult {
  readonly plan: FleetPlan;
  readonly objects: readonly EmittedObject[];
  /** The runtime's contract and arguments, when anything in the fleet needs the runtime. */
  readonly runtime?: { readonly contract: RuntimeConfigInput; readonly args: readonly string[] };
}

/** Whether any agent or egress route of the plan is served by the runtime. */
export function needsRuntime(plan: FleetPlan): boolean {
  return plan.runtime.agents.length > 0 || plan.egressGateways.some((e) => e.routes.some((r) => r.mechanism === 'runtime'));
}

/** Pure lowering of a validated fleet: model -> plan -> L1 objects, in a stable order. */
export function compileFleet(fleet: Fleet): CompileResult {
  const plan = planFleet(fleet);
  const objects: EmittedObject[] = [
    ...plan.gateways.flatMap((g) => lowerGateway(fleet, g)),
    ...plan.egressGateways.flatMap((e) => lowerEgress(fleet, e)),
    ...plan.agents.flatMap((a) => [
      lowerWorkload(fleet, a),
      lowerAgentNetworkPolicy(fleet, a),
      ...(a.exposed ? [lowerRoute(fleet, a), ...lowerInbound(fleet, a), ...lowerQuotas(fleet, a)] : []),
    ]),
    ...lowerRuntimeGrant(fleet, plan),
    ...lowerSecretGrants(fleet, plan.egressGateways),
  ];
  if (!needsRuntime(plan)) return { plan, objects };
  const contract = runtimeContract(plan);
  // the runtime refuses a contract its own schema refuses, and would not start: the rules must have
  // stopped such a fleet, so a contract that fails here is a bug of ours, never a ConfigMap to emit
  const checked = RuntimeConfig.safeParse(contract);
  if (!checked.success) {
    const first = checked.error.issues[0]!;
    throw new Error(`internal: the runtime contract fails its own schema at ${first.path.join('.')}: ${first.message}`);
  }
  return { plan, objects: [...objects, ...lowerRuntimeWorkload(fleet, contract)], runtime: { contract, args: runtimeArgs(fleet) } };
}
