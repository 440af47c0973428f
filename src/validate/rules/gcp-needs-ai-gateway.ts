import type { Finding, Rule } from '../rule.js';

export const gcpNeedsAiGateway: Rule = {
  code: 'PC029',
  severity: 'error',
  title: 'a Vertex AI provider on an egress gateway that cannot mint GCP tokens',
  check(fleet) {
    return fleet.egressGateways.flatMap((g, i): Finding[] =>
      g.target === 'ai-gateway'
        ? []
        : g.providers
            .filter((name) => fleet.providers.find((p) => p.name === name)?.kind === 'vertex-ai')
            .map((name) => ({
              entity: { kind: 'egressGateway', index: i },
              field: 'providers',
              message: `provider "${name}" authenticates with GCP service account tokens, which neither Envoy Gateway nor the portcullis runtime mints, so egress gateway ${g.namespace}/${g.name} could not reach it`,
              hint: "put it on an egress gateway with target 'ai-gateway' (its BackendSecurityPolicy GCPCredentials mints them)",
            })),
    );
  },
};
