/** A reference to one entity of a fleet: the fleet itself, or a gateway or agent by index. */
export type EntityRef = { readonly kind: 'fleet' } | { readonly kind: 'gateway' | 'agent'; readonly index: number };
