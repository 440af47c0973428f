/** One failed admission check, worded the way the Kubernetes API server words it. */
export interface AdmissionIssue {
  /** Field path of the failure, e.g. `spec.jwt.providers[0].issuer` (`""` for the object itself). */
  path: string;
  /** Full API-server style line, e.g. `spec.jwt.providers[0].remoteJWKS.uri: Required value`. */
  message: string;
  /** The CEL rule that failed, when the issue comes from an `x-kubernetes-validations` rule. */
  rule?: string;
  /**
   * A structural error after which the API server does not run CEL rules (`hasBlockingErr`): a wrong
   * type, a missing required field, an unsupported enum value, a string or list over its maximum.
   */
  blocking?: boolean;
}

/** A CEL rule as declared in a CRD schema under `x-kubernetes-validations`. */
export interface CrdValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** A node of a CRD's `openAPIV3Schema` (the Kubernetes structural-schema subset of OpenAPI v3). */
export interface OpenApiSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  anyOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  not?: OpenApiSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
  'x-kubernetes-validations'?: CrdValidationRule[];
}
