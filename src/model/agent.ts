import { z } from 'zod';
import { AuthMethod, AuthorizationHeader } from './auth.js';
import { ProviderGrant } from './egress.js';
import { ImageRef } from './names.js';
import { RequestQuota } from './quota.js';

const cpu = z.string().regex(/^(\d+m|\d+(\.\d{1,3})?)$/, 'must be a CPU quantity such as 250m or 1.5').describe('CPU, e.g. 250m or 1.');
const memory = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity such as 512Mi or 1Gi').describe('Memory, e.g. 512Mi.');

const cpuCores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
const MEMORY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const memoryBytes = (q: string) => Number(q.slice(0, -2)) * MEMORY_UNITS[q.slice(-2)]!;

/** The API server refuses a container whose request is above its limit (ValidateResourceRequirements). */
function requestWithinLimit(resource: string, amount: (q: string) => number) {
  return (r: { request: string; limit: string }, ctx: z.RefinementCtx) => {
    if (amount(r.request) > amount(r.limit))
      ctx.addIssue({ code: 'custom', path: ['request'], message: `must be less than or equal to the ${resource} limit, ${r.limit}` });
  };
}

export const Agent = z
  .object({
    name: z.string(),
    namespace: z.string(),
    image: ImageRef.describe('Container image, pinned by tag or digest.'),
    port: z.number().int().min(1).max(65535).default(8080),
    replicas: z.number().int().min(0).default(2),
    resources: z
      .object({
        cpu: z.object({ request: cpu, limit: cpu }).strict().superRefine(requestWithinLimit('cpu', cpuCores)),
        memory: z.object({ request: memory, limit: memory }).strict().superRefine(requestWithinLimit('memory', memoryBytes)),
      })
      .strict()
      .default({ cpu: { request: '250m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } }),
    env: z.record(z.string(), z.string()).default({}).describe('Plain environment variables. Never secrets.'),
    secretEnv: z
      .record(z.string(), z.object({ secretName: z.string(), key: z.string() }).strict())
      .default({})
      .describe('Environment variables from Secrets of the agent namespace (never provider keys: those are injected by the egress gateway).'),
    timeoutSeconds: z.number().int().positive().max(86_400).default(100).describe('Request timeout of the agent.'),
    expose: z
      .object({
        gateway: z.string().describe('Ingress gateway as name or namespace/name.'),
        hostnames: z.array(z.string()).default([]),
        pathPrefix: z.string().default('/'),
        listeners: z
          .array(z.string())
          .optional()
          .describe('Listener names to attach to. Default: every HTTPS listener, or every listener if none is HTTPS.'),
      })
      .strict()
      .optional()
      .describe('Where the agent is reachable. Without auth it is not exposed whatever this says.'),
    auth: z.array(AuthMethod).default([]).describe('Ordered chain of accepted credentials; the first to accept wins.'),
    authorizationHeader: AuthorizationHeader,
    providers: z.array(ProviderGrant).default([]).describe('LLM providers the agent may call, through an egress gateway.'),
    quotas: z.array(RequestQuota).default([]).describe('Request limits per verified identity on the agent\'s route.'),
    inClusterEgress: z
      .array(
        z
          .object({
            namespace: z.string(),
            podLabels: z.record(z.string(), z.string()).default({}).describe('Pods to reach; empty: every pod of the namespace.'),
            port: z.number().int().min(1).max(65535),
          })
          .strict(),
      )
      .default([])
      .describe('In-cluster services the agent may call besides DNS and its egress gateways; everything else is denied.'),
  })
  .strict();
export type Agent = z.infer<typeof Agent>;
export type AgentInput = z.input<typeof Agent>;
