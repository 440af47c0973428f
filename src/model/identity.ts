import { z } from 'zod';
import { HeaderNameField } from './names.js';

/**
 * The canonical identity headers a gateway sets on every request it lets through. Configured once per
 * gateway and used by every auth path, so quotas and metering see one identity whatever the credential.
 */
export const IdentityHeaders = z
  .object({
    userId: HeaderNameField.default('x-user-id').describe('Header carrying the verified caller id (JWT sub, API key client id, ...).'),
    tenantId: HeaderNameField.default('x-tenant-id').describe('Header carrying the verified tenant id.'),
    roles: HeaderNameField.default('x-user-roles').describe('Header carrying the verified roles, comma-joined.'),
    email: HeaderNameField.default('x-user-email').describe('Header carrying the verified email address.'),
    claimPrefix: HeaderNameField.default('x-claim-')
      .describe('Prefix of the headers that carry extra mapped claims: x-claim-<name>.'),
  })
  .strict();
export type IdentityHeaders = z.infer<typeof IdentityHeaders>;
export type IdentityField = 'userId' | 'tenantId' | 'roles' | 'email';
export const IDENTITY_FIELDS: readonly IdentityField[] = ['userId', 'tenantId', 'roles', 'email'];

/** A per-method override of some identity header names (a legacy agent that reads x-client-id, say). */
export const IdentityHeadersOverride = z
  .object({
    userId: HeaderNameField.optional(),
    tenantId: HeaderNameField.optional(),
    roles: HeaderNameField.optional(),
    email: HeaderNameField.optional(),
  })
  .strict();
export type IdentityHeadersOverride = z.infer<typeof IdentityHeadersOverride>;
