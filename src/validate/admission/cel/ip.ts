import { isIP } from 'node:net';

/** An IPv6 address in canonical form whose first 80 bits are zero and next 16 are one: `::ffff:a.b.c.d`. */
const IPV4_MAPPED = /^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/;

/**
 * Kubernetes' `isIP(string)`: an IPv4 address (no leading zeros) or an IPv6 address, but not an IPv6 address
 * with a zone (`fe80::1%eth0`) nor an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`), as Go's `netip.ParseAddr`
 * with the Kubernetes IP library's extra checks decides.
 */
export function isKubernetesIP(text: string): boolean {
  const family = isIP(text);
  if (family === 4) return true;
  if (family !== 6 || text.includes('%')) return false;
  return !IPV4_MAPPED.test(new URL(`http://[${text}]`).hostname);
}
