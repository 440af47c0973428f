import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { parseCidr, type EdgeTrustMethod } from '../../contract/index.js';
import { isHeaderSafe } from '../headers.js';
import { trimNewline, type SecretReader } from '../secrets.js';
import { ABSENT, credentialHeader, reject, type Outcome, type RequestContext, type Verifier } from './types.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'latin1').digest();

/** `ip:port`, `[v6]:port` or a bare address (Envoy's source.address) -> the address. */
export function addressOf(sourceAddress: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(sourceAddress);
  if (bracketed) return isIP(bracketed[1]!) ? bracketed[1] : undefined;
  if (isIP(sourceAddress)) return sourceAddress;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(sourceAddress);
  return v4 && isIP(v4[1]!) ? v4[1] : undefined;
}

/** A CIDR matcher built once per load. */
export function cidrMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const c of cidrs) {
    const p = parseCidr(c)!;
    list.addSubnet(p.address, p.prefix, p.family);
  }
  return (address: string) => {
    const family = isIP(address);
    if (family === 0) return false;
    if (family === 6) {
      const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
      if (mapped && list.check(mapped[1]!, 'ipv4')) return true;
      return list.check(address, 'ipv6');
    }
    return list.check(address, 'ipv4');
  };
}

/**
 * Edge-trust: an upstream edge verified the caller and says who it is in headers. Believed only when the
 * request comes from one of the edge's addresses (source.address) and/or carries the shared proof value
 * the edge adds; both are required when both are configured.
 */
export function edgeTrustVerifier(method: EdgeTrustMethod, secrets: SecretReader, maxBytes: number): Verifier {
  const trusted = method.trustedCidrs.length > 0 ? cidrMatcher(method.trustedCidrs) : undefined;
  const proofs = method.proofSecret
    ? [...secrets.readAll(method.proofSecret).values()].map((v) => trimNewline(v.toString('latin1'))).filter((v) => v !== '').map(sha256)
    : undefined;
  if (proofs && proofs.length === 0) throw new Error(`secret ${method.proofSecret!.namespace}/${method.proofSecret!.name}: holds no proof value`);
  const h = method.headers;
  return {
    type: 'edgeTrust',
    source: h.userId,
    consumes: [h.userId, ...(h.tenantId ? [h.tenantId] : []), ...(h.roles ? [h.roles] : []), ...(h.email ? [h.email] : []), method.proofHeader],
    check(ctx: RequestContext): Outcome {
      const user = credentialHeader(ctx, h.userId, maxBytes);
      if (user.outcome) return user.outcome === ABSENT ? ABSENT : user.outcome;
      if (trusted) {
        const address = ctx.sourceAddress !== undefined ? addressOf(ctx.sourceAddress) : undefined;
        if (address === undefined) return reject('edge_source_unknown');
        if (!trusted(address)) return reject('edge_source_untrusted');
      }
      if (proofs) {
        const proof = credentialHeader(ctx, method.proofHeader, maxBytes);
        if (proof.outcome) return proof.outcome === ABSENT ? reject('edge_proof_missing') : proof.outcome;
        const presented = sha256(proof.value!);
        let match = false;
        for (const d of proofs) match = timingSafeEqual(d, presented) || match;
        if (!match) return reject('edge_proof_invalid');
      }
      const read = (name: string | undefined): string | undefined => {
        if (!name || ctx.headers.count(name) !== 1) return undefined;
        return ctx.headers.get(name)!.trim();
      };
      const userId = user.value!.trim();
      const values = [userId, read(h.tenantId), read(h.roles), read(h.email)];
      if (userId === '' || values.some((v) => v !== undefined && !isHeaderSafe(v))) return reject('edge_identity_invalid');
      const tenantId = read(h.tenantId);
      const roles = read(h.roles);
      const email = read(h.email);
      return {
        kind: 'accept',
        identity: {
          method: 'edgeTrust',
          userId,
          ...(tenantId && { tenantId }),
          ...(roles && { roles: splitList(roles) }),
          ...(email && { email }),
          ...(method.identityHeaders && { headers: method.identityHeaders }),
        },
      };
    },
  };
}

export function splitList(s: string): string[] {
  return s.split(/[\s,]+/).filter((x) => x !== '');
}
