import { z } from 'zod';
import { IdentityHeaders } from './identity.js';

export const Listener = z
  .object({
    name: z.string().describe('Listener (section) name, unique in the gateway.'),
    protocol: z.enum(['HTTP', 'HTTPS']),
    port: z.number().int().min(1).max(65535),
    hostname: z.string().optional().describe('Hostname the listener matches, e.g. *.agents.example.com.'),
    certificateRefs: z
      .array(z.object({ name: z.string(), namespace: z.string().optional() }).strict())
      .default([])
      .describe('TLS Secrets (kubernetes.io/tls) for HTTPS listeners.'),
  })
  .strict();
export type Listener = z.infer<typeof Listener>;

export const IngressGateway = z
  .object({
    name: z.string(),
    namespace: z.string(),
    gatewayClassName: z.string().default('eg').describe('GatewayClass of the Envoy Gateway installation.'),
    listeners: z.array(Listener).min(1),
    identityHeaders: IdentityHeaders.prefault({}),
    timeouts: z
      .object({
        requestSeconds: z.number().int().positive().optional().describe('Time to receive a whole request.'),
        streamIdleSeconds: z.number().int().positive().optional().describe('Time a stream may be silent.'),
        idleSeconds: z.number().int().positive().optional().describe('Time a connection may be idle.'),
      })
      .strict()
      .default({})
      .describe('Proxy timeouts. Unset ones are derived from the longest agent timeout behind the gateway.'),
    frontProxyTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Idle/request timeout of a load balancer in front of the gateway (e.g. a cloud LB), checked against agent timeouts.'),
    rateLimitService: z
      .boolean()
      .default(false)
      .describe(
        "Envoy Gateway's global rate limit service (EnvoyGateway.rateLimit with Redis) is configured. Without it a rate limit policy is not accepted and every route it targets answers 500, so quotas are refused.",
      ),
    clientValidation: z
      .object({
        caCertificateRefs: z
          .array(z.object({ kind: z.enum(['ConfigMap', 'Secret']).default('ConfigMap'), name: z.string() }).strict())
          .min(1)
          .describe('CA bundles (key ca.crt) that client certificates must chain to.'),
        mode: z
          .enum(['require', 'optional'])
          .default('require')
          .describe('require: every TLS client presents a valid certificate; optional: verified when given.'),
      })
      .strict()
      .optional()
      .describe('mTLS client certificate validation on the HTTPS listeners.'),
  })
  .strict();
export type IngressGateway = z.infer<typeof IngressGateway>;
export type IngressGatewayInput = z.input<typeof IngressGateway>;
