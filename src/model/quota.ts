import { z } from 'zod';

/** A request limit per verified identity on an agent's route. */
export const RequestQuota = z
  .object({
    key: z
      .union([z.enum(['user', 'tenant']), z.object({ header: z.string() }).strict()])
      .describe('Whose requests are counted: the verified user, the verified tenant, or the value of an identity header (e.g. x-claim-plan).'),
    requests: z.number().int().min(1).max(4_294_967_295),
    per: z.enum(['second', 'minute', 'hour', 'day']),
  })
  .strict();
export type RequestQuota = z.infer<typeof RequestQuota>;

/** The header a quota key counts by, given the gateway's identity headers. */
export function quotaHeader(key: RequestQuota['key'], identity: { userId: string; tenantId: string }): string {
  return key === 'user' ? identity.userId : key === 'tenant' ? identity.tenantId : key.header.toLowerCase();
}

/** Seconds in a quota period, to compare limits across periods. */
export const PERIOD_SECONDS: Record<RequestQuota['per'], number> = { second: 1, minute: 60, hour: 3600, day: 86_400 };
