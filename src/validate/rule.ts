import type { EntityRef, Fleet } from '../model/index.js';
import type { Severity } from './diagnostic.js';

export type { EntityRef };

/** What a rule reports; the framework adds code, severity, construct path and source location. */
export interface Finding {
  readonly entity: EntityRef;
  /** Field path inside the entity, e.g. `auth[0].audiences`. */
  readonly field: string;
  readonly message: string;
  readonly hint: string;
}

/** A semantic rule over the whole parsed fleet: `{ code, severity, check }`, one per file. */
export interface Rule {
  readonly code: string;
  readonly severity: Severity;
  /** One line: what the rule guards against. */
  readonly title: string;
  check(fleet: Fleet): Finding[];
}

export const agentRef = (index: number): EntityRef => ({ kind: 'agent', index });
export const gatewayRef = (index: number): EntityRef => ({ kind: 'gateway', index });
