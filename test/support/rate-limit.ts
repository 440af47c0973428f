/**
 * What Envoy counts for a BackendTrafficPolicy's global rate limit rules, for tests: a transcription of
 * Envoy Gateway's translation and Envoy's descriptor semantics (sources in docs/quotas.md), so a test can
 * ask "which rule counts this request, in which bucket" of the policy the compiler emitted.
 *
 * - EG: a rule becomes one descriptor of actions, all of which must produce an entry or the rule does not
 *   apply to the request. `Distinct` → `request_headers` (no entry when the header is absent);
 *   `Exact`/`RegularExpression` → `header_value_match` with `expect_match = !invert`.
 * - Envoy: a string matcher on an absent header does not match; `header_value_match` appends its entry when
 *   the match result equals `expect_match`. Regular expressions (RE2) match the whole value.
 */

export interface HeaderSelector {
  name: string;
  type?: 'Exact' | 'RegularExpression' | 'Distinct';
  value?: string;
  invert?: boolean;
}
export interface RateLimitRule {
  clientSelectors: { headers?: HeaderSelector[] }[];
  limit: { requests: number; unit: string };
}

/** The bucket a rule counts a request in (rule index plus the distinct values), or undefined when it does not apply. */
export function bucketOf(rule: RateLimitRule, index: number, headers: Record<string, string>): string | undefined {
  const entries: string[] = [];
  for (const selector of rule.clientSelectors) {
    if (!selector.headers) throw new Error('only header selectors are modelled');
    for (const h of selector.headers) {
      const value = headers[h.name.toLowerCase()];
      if ((h.type ?? 'Exact') === 'Distinct') {
        if (value === undefined) return undefined;
        entries.push(value);
        continue;
      }
      const matched =
        value !== undefined && (h.type === 'RegularExpression' ? new RegExp(`^(?:${h.value})$`).test(value) : value === h.value);
      if (matched !== !h.invert) return undefined;
      entries.push('*');
    }
  }
  return `${index}:${entries.join('|')}`;
}

/**
 * A fixed-window limiter over the rules: each request is checked against every rule that applies to it
 * and allowed only if all have room (the rate limit service ORs the decisions), then counted in each.
 */
export class Limiter {
  private readonly used = new Map<string, number>();
  constructor(private readonly rules: readonly RateLimitRule[]) {}

  /** True when the request is allowed within the current window. */
  request(headers: Record<string, string>): boolean {
    const hits = this.rules.flatMap((r, i) => {
      const b = bucketOf(r, i, headers);
      return b === undefined ? [] : [{ bucket: b, limit: r.limit.requests }];
    });
    const allowed = hits.every((h) => (this.used.get(h.bucket) ?? 0) < h.limit);
    for (const h of hits) this.used.set(h.bucket, (this.used.get(h.bucket) ?? 0) + 1);
    return allowed;
  }

  /** How many requests in a row with these headers are allowed before the first refusal (up to `max`). */
  allowance(headers: Record<string, string>, max = 100_000): number {
    for (let n = 0; n < max; n++) if (!this.request(headers)) return n;
    return max;
  }
}

/**
 * The request's headers when a rule with a response cost (a token budget) is charged: Envoy's rate limit
 * filter builds those descriptors in onDestroy from its pointer to the request's header map
 * (source/extensions/filters/http/ratelimit/ratelimit.cc), and before the request went upstream the router
 * applied the route's request_headers_to_remove to that map (finalizeRequestHeaders, router.cc) and the
 * upstream filters, AI Gateway's header mutator among them, edited the same map
 * (upstream_request.cc hands them `*parent_.downstreamHeaders()`). So: the headers as sent to the provider.
 */
export function sentUpstream(headers: Record<string, string>, removed: readonly string[]): Record<string, string> {
  const gone = new Set(removed.map((h) => h.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !gone.has(k.toLowerCase())));
}
