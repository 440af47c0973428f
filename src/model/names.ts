/** Kubernetes and HTTP name grammars, shared by the model's rules and the compiler. */
import { z } from 'zod';

/** RFC 1123 label, as Kubernetes checks namespaces, Services and most names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_MAX = 63;

/** RFC 1123 subdomain, optionally with a leading `*.` wildcard as Gateway API hostnames allow. */
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An HTTP header name (RFC 7230 token); case-insensitive, emitted lowercase as HTTP/2 sends it. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * A header name field of the model: read in any case, kept lowercase. HTTP header names are
 * case-insensitive and Envoy hands them over lowercase, so `X-User-Id` and `x-user-id` are one header;
 * everything downstream (rules, Envoy Gateway's objects, the runtime's contract) compares and emits the
 * lowercase form. Its grammar is PC011's (HEADER_NAME).
 */
export const HeaderNameField = z.string().toLowerCase();

/** Kubernetes environment variable name (C identifier, as kubelet requires for portability). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isDnsLabel(value: string): boolean {
  return value.length <= DNS_LABEL_MAX && DNS_LABEL.test(value);
}

export function isHostname(value: string): boolean {
  return value.length <= 253 && HOSTNAME.test(value);
}

/** RFC 1123 subdomain, as Kubernetes checks Secret and ConfigMap names. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value);
}

/** A model glob (`*` any run of characters) as regular expression source, unanchored. */
export function globSource(glob: string): string {
  return glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
}

/** Model globs as one anchored regular expression (`.*` for none: any model). */
export function globsRegex(globs: readonly string[]): string {
  return globs.length === 0 ? '.*' : `^(${globs.map(globSource).join('|')})$`;
}

/** A container image reference: the API server refuses one with whitespace (or none at all). */
export const ImageRef = z.string().regex(/^[^\s]+$/, 'must be a container image reference without spaces, e.g. ghcr.io/acme/bot:1.4.2');
