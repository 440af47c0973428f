import type { MtlsMethod } from '../../contract/index.js';
import { isHeaderSafe } from '../headers.js';
import { credentialHeader, reject, type Outcome, type RequestContext, type Verifier } from './types.js';
import { parseXfcc } from './xfcc.js';

export const XFCC = 'x-forwarded-client-cert';

/**
 * mTLS: Envoy verified the client certificate on the listener and wrote its details into
 * x-forwarded-client-cert (the gateway's ClientTrafficPolicy uses SanitizeSet, so a client-sent value
 * never survives). The last element is the one Envoy appended for this hop.
 */
export function mtlsVerifier(method: MtlsMethod, maxBytes: number): Verifier {
  const field = { uriSan: 'uri', dnsSan: 'dns', subject: 'subject', none: undefined }[method.identity];
  return {
    type: 'mtls',
    source: XFCC,
    consumes: [],
    check(ctx: RequestContext): Outcome {
      const { value, outcome } = credentialHeader(ctx, XFCC, maxBytes);
      if (outcome) return outcome;
      const elements = parseXfcc(value!);
      if (!elements || elements.length === 0) return reject('xfcc_malformed');
      const own = elements[elements.length - 1]!;
      const userId = field ? own.get(field)?.find((v) => v !== '') : undefined;
      if (field && userId === undefined) return reject(`client_certificate_without_${method.identity}`);
      if (userId !== undefined && !isHeaderSafe(userId)) return reject('client_certificate_identity_invalid');
      return {
        kind: 'accept',
        identity: { method: 'mtls', ...(userId !== undefined && { userId }), ...(method.identityHeaders && { headers: method.identityHeaders }) },
      };
    },
  };
}
