/** A reference to one entity of a fleet: the fleet itself, or a gateway, egress gateway, agent or provider by index. */
export type EntityRef =
  | { readonly kind: 'fleet' }
  | { readonly kind: 'gateway' | 'egressGateway' | 'agent' | 'provider'; readonly index: number };
