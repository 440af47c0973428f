import { z } from 'zod';
import { HeaderNameField } from './names.js';

const UINT32 = 4_294_967_295;

/** Whose requests a limit counts, or whose value picks a tier: the verified user, tenant, or an identity header. */
export const QuotaKey = z.union([z.enum(['user', 'tenant']), z.object({ header: HeaderNameField }).strict()]);
export type QuotaKey = z.infer<typeof QuotaKey>;

/** A value of the tier header, compared exactly (a plan claim's "pro", say). */
const TierValue = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, 'a tier value is 1 to 128 visible ASCII characters, compared exactly with the header value');

/** Different limits for different values of an identity; everyone else gets the limit it sits beside. */
export const Tiers = z
  .object({
    by: QuotaKey.describe('The identity whose value picks the tier: usually a mapped claim header ({ header: x-claim-plan }), or tenant.'),
    limits: z
      .record(TierValue, z.number().int().min(1).max(UINT32))
      .refine((l) => Object.keys(l).length > 0, 'list at least one tier value and its limit')
      .refine((l) => Object.keys(l).length <= 64, 'at most 64 tiers per limit')
      .describe('Tier value -> the limit for each distinct key value of that tier.'),
  })
  .strict();
export type Tiers = z.infer<typeof Tiers>;

/** A request limit per verified identity on an agent's route. */
export const RequestQuota = z
  .object({
    key: QuotaKey.describe('Whose requests are counted: the verified user, the verified tenant, or the value of an identity header (e.g. x-claim-plan).'),
    requests: z
      .number()
      .int()
      .min(1)
      .max(UINT32)
      .describe('Requests per period for each distinct key value; with tiers, for every caller whose tier value is not listed (or absent).'),
    per: z.enum(['second', 'minute', 'hour', 'day']),
    tiers: Tiers.optional().describe('Different limits for different values of an identity (a plan claim, say). Callers whose value is not listed, or who carry none, get `requests`.'),
    unidentified: z
      .number()
      .int()
      .min(1)
      .max(UINT32)
      .optional()
      .describe(
        'Requests per period shared by every caller that carries no value for the key (an auth path that sets no such identity, a token without the claim). Without it those callers are not counted by this quota.',
      ),
  })
  .strict();
export type RequestQuota = z.infer<typeof RequestQuota>;

/** The header a quota key counts by, given the gateway's identity headers. */
export function quotaHeader(key: QuotaKey, identity: { userId: string; tenantId: string }): string {
  return key === 'user' ? identity.userId : key === 'tenant' ? identity.tenantId : key.header.toLowerCase();
}

/** Tier values of a limit in a stable order (sorted), each with its limit. */
export function quotaTiers(q: { readonly tiers?: Tiers | undefined }): [value: string, limit: number][] {
  return Object.entries(q.tiers?.limits ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
