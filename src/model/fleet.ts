import { z } from 'zod';
import { ImageRef } from './names.js';
import { Agent } from './agent.js';
import { EgressGateway, Provider } from './egress.js';
import { IngressGateway } from './gateway.js';

export const API_VERSION = 'portcullis.dev/v1alpha1';

export const RuntimeRef = z
  .object({
    name: z.string().default('portcullis-runtime'),
    namespace: z.string().default('portcullis-system'),
    port: z.number().int().min(1).max(65535).default(9002),
    metricsPort: z.number().int().min(1).max(65535).default(9090),
    image: ImageRef.default('portcullis-runtime:0.1.0').describe('Image built from out/runtime/Dockerfile and pushed to your registry.'),
    replicas: z.number().int().min(2).default(2).describe('Minimum replicas (the HorizontalPodAutoscaler scales from here).'),
    maxReplicas: z.number().int().min(2).default(10),
  })
  .strict()
  .superRefine((r, ctx) => {
    // what the API server refuses in the HorizontalPodAutoscaler and the Service
    if (r.maxReplicas < r.replicas)
      ctx.addIssue({ code: 'custom', path: ['maxReplicas'], message: `must be at least replicas (${r.replicas}): the autoscaler scales between the two` });
    if (r.port === r.metricsPort) ctx.addIssue({ code: 'custom', path: ['metricsPort'], message: `must differ from port (${r.port}): one Service serves both` });
  });
export type RuntimeRef = z.infer<typeof RuntimeRef>;

export const Acknowledgement = z
  .object({
    code: z.string().regex(/^PC\d{3}$/),
    path: z.string().optional().describe('Construct path (or prefix) the acknowledgement is limited to. Default: everywhere.'),
    reason: z.string().min(1).describe('Why this warning is acceptable here.'),
  })
  .strict();
export type Acknowledgement = z.infer<typeof Acknowledgement>;

export const Fleet = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('Fleet'),
    name: z.string(),
    runtime: RuntimeRef.default({
      name: 'portcullis-runtime',
      namespace: 'portcullis-system',
      port: 9002,
      metricsPort: 9090,
      image: 'portcullis-runtime:0.1.0',
      replicas: 2,
      maxReplicas: 10,
    }).describe(
      'Where the portcullis ext_proc runtime runs, for the agents whose auth needs it.',
    ),
    envoyGatewayNamespace: z
      .string()
      .default('envoy-gateway-system')
      .describe('Namespace of the Envoy Gateway control plane, where it runs the proxies and their Services.'),
    gateways: z.array(IngressGateway).default([]),
    egressGateways: z.array(EgressGateway).default([]),
    providers: z.array(Provider).default([]),
    agents: z.array(Agent).default([]),
    acknowledge: z.array(Acknowledgement).default([]).describe('Warnings accepted on purpose, by code.'),
  })
  .strict();
export type Fleet = z.infer<typeof Fleet>;
export type FleetInput = z.input<typeof Fleet>;
