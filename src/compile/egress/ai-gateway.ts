import * as aigw from '../../imports/aigateway.envoyproxy.io.js';
import { globsRegex, type Fleet, type Provider, type SecretKeyRef } from '../../model/index.js';
import type { EmittedObject } from '../emitted.js';
import { GATEWAY_API_GROUP } from '../meta.js';
import { budgetRules, llmRequestCosts, lowerBudgets } from './budgets.js';
import { AGENT_HEADER } from '../plan.js';
import { AI_GATEWAY_MODEL_HEADER, egressLabels } from './gateway.js';
import type { EgressGatewayPlan, ProviderRoutePlan } from './plan.js';
import { backend, EGRESS_METADATA_NAMESPACE, upstreamRemovedHeaders, runtimeOnRoute } from './routes.js';


function secretRef(ref: SecretKeyRef) {
  return { name: ref.secretName, ...(ref.namespace && { namespace: ref.namespace }) };
}

/** The BackendSecurityPolicy fields for a provider: the type AI Gateway injects with, and its Secret. */
function credentialSpec(p: Provider, auth: string): Omit<aigw.BackendSecurityPolicyV1Beta1Spec, 'targetRefs'> {
  const type = auth as aigw.BackendSecurityPolicyV1Beta1SpecType;
  switch (type) {
    case aigw.BackendSecurityPolicyV1Beta1SpecType.ANTHROPIC_API_KEY:
      return { type, anthropicApiKey: { secretRef: secretRef(p.credential) } };
    case aigw.BackendSecurityPolicyV1Beta1SpecType.AZURE_API_KEY:
      return { type, azureApiKey: { secretRef: secretRef(p.credential) } };
    case aigw.BackendSecurityPolicyV1Beta1SpecType.GCP_CREDENTIALS:
      return {
        type,
        gcpCredentials: {
          projectName: p.kind === 'vertex-ai' ? p.projectName : '',
          region: p.kind === 'vertex-ai' ? p.region : '',
          credentialsFile: { secretRef: secretRef(p.credential) },
        },
      };
    case aigw.BackendSecurityPolicyV1Beta1SpecType.AWS_CREDENTIALS:
      return { type, awsCredentials: { region: p.kind === 'bedrock' ? p.region : '', credentialsFile: { secretRef: secretRef(p.credential) } } };
    default:
      return { type: aigw.BackendSecurityPolicyV1Beta1SpecType.API_KEY, apiKey: { secretRef: secretRef(p.credential) } };
  }
}

/** Per provider on an AI Gateway egress: Backend, AIServiceBackend (schema, hygiene) and BackendSecurityPolicy. */
export function lowerAiGatewayBackend(fleet: Fleet, plan: EgressGatewayPlan, route: ProviderRoutePlan): EmittedObject[] {
  const owner = { kind: 'egressGateway', index: plan.index } as const;
  const p = route.provider;
  const g = plan.gateway;
  const labels = egressLabels(fleet, plan);
  const ai = route.convention.aiGateway;
  return [
    backend(fleet, plan, route),
    {
      owner,
      id: `${p.name}-ai-service-backend`,
      kind: 'AIServiceBackend',
      props: {
        metadata: { name: p.name, namespace: g.namespace, labels },
        spec: {
          schema: { name: ai.schema as aigw.AiServiceBackendV1Beta1SpecSchemaName, ...(ai.prefix && { prefix: ai.prefix }), ...(ai.version && { version: ai.version }) },
          backendRef: { group: 'gateway.envoyproxy.io', kind: 'Backend', name: p.name },
          // AI Gateway overwrites only the header it injects: every other credential header goes here
          headerMutation: { remove: upstreamRemovedHeaders(fleet, plan, route) },
        },
      },
    },
    {
      owner,
      id: `${p.name}-backend-security-policy`,
      kind: 'BackendSecurityPolicy',
      props: {
        metadata: { name: p.name, namespace: g.namespace, labels },
        spec: {
          ...credentialSpec(p, ai.auth),
          targetRefs: [{ group: 'aigateway.envoyproxy.io', kind: 'AIServiceBackend', name: p.name }],
          ...(p.perTenant && {
            credentialOverride: {
              fromDynamicMetadata: { namespace: EGRESS_METADATA_NAMESPACE, key: 'credential', fallbackToConfigured: p.perTenant.unknown === 'fallback' },
            },
          }),
        },
      },
    },
  ];
}

/**
 * One AIGatewayRoute per AI Gateway egress: a rule per provider, matching for each agent granted it the
 * models that agent may use, from that agent's listener. Another agent's call, or a model outside its
 * list, matches nothing and gets AI Gateway's 404.
 */
export function lowerAiGatewayRoute(fleet: Fleet, plan: EgressGatewayPlan): EmittedObject[] {
  const g = plan.gateway;
  const budgets = budgetRules(fleet, plan);
  const costs = llmRequestCosts(budgets);
  const route: EmittedObject = {
    owner: { kind: 'egressGateway', index: plan.index },
    id: 'ai-gateway-route',
    kind: 'AIGatewayRoute',
    props: {
      metadata: { name: g.name, namespace: g.namespace, labels: egressLabels(fleet, plan) },
      spec: {
        parentRefs: [{ group: GATEWAY_API_GROUP, kind: 'Gateway', name: g.name }],
        rules: plan.routes.map((r) => ({
          name: r.provider.name,
          // one match per agent granted the provider: its models, from its own listener (ORed)
          matches: r.grantees.map((a) => ({
            headers: [
              { name: AI_GATEWAY_MODEL_HEADER, type: aigw.AiGatewayRouteV1Beta1SpecRulesMatchesHeadersType.REGULAR_EXPRESSION, value: globsRegex(a.models.length > 0 ? a.models : r.provider.models) },
              { name: AGENT_HEADER, type: aigw.AiGatewayRouteV1Beta1SpecRulesMatchesHeadersType.EXACT, value: `${a.namespace}/${a.name}` },
            ],
          })),
          backendRefs: [{ name: r.provider.name, ...(r.provider.kind === 'azure-openai' && r.provider.deployment && { modelNameOverride: r.provider.deployment }) }],
        })),
        ...(costs.length > 0 && { llmRequestCosts: costs }),
      },
    },
  };
  // AI Gateway generates an HTTPRoute named after the AIGatewayRoute: the runtime attaches to it
  const runtime = plan.routes.filter((r) => r.mechanism === 'runtime');
  return [route, ...(runtime.length > 0 ? [runtimeOnRoute(fleet, plan, runtime, g.name, 'extension-policy')] : []), ...lowerBudgets(fleet, plan, budgets)];
}
