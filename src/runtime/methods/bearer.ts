import { createHash, timingSafeEqual } from 'node:crypto';
import type { BearerMethod } from '../../contract/index.js';
import { trimNewline, type SecretReader } from '../secrets.js';
import { ABSENT, bearerToken, credentialHeader, reject, type Outcome, type RequestContext, type Verifier } from './types.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'latin1').digest();

/**
 * A shared bearer token: every file of the Secret is a valid token, so a rotation adds the new one, rolls
 * the callers, then removes the old one. The presented token is compared with every valid one in constant
 * time (digests of equal length, no early exit).
 */
export function bearerVerifier(method: BearerMethod, secrets: SecretReader, maxBytes: number): Verifier {
  const digests = [...secrets.readAll(method.secret).values()].map((v) => trimNewline(v.toString('latin1'))).filter((t) => t !== '').map(sha256);
  if (digests.length === 0) throw new Error(`secret ${method.secret.namespace}/${method.secret.name}: holds no token`);
  return {
    type: 'bearer',
    source: 'authorization',
    consumes: [],
    challenge: 'Bearer',
    check(ctx: RequestContext): Outcome {
      const { value, outcome } = credentialHeader(ctx, 'authorization', maxBytes);
      if (outcome) return outcome;
      const token = bearerToken(value!);
      if (token === undefined) return ABSENT;
      const presented = sha256(token);
      let match = false;
      for (const d of digests) match = timingSafeEqual(d, presented) || match;
      if (!match) return reject('invalid_bearer_token');
      return {
        kind: 'accept',
        identity: { method: 'bearer', userId: method.clientId, ...(method.identityHeaders && { headers: method.identityHeaders }) },
      };
    },
  };
}
