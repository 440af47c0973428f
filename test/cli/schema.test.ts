import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FLEET_SCHEMA_FILE, FLEET_SCHEMA_ID, RUNTIME_SCHEMA_FILE, renderFleetSchema, renderRuntimeSchema } from '../../scripts/generate-schemas.js';
import { EXAMPLE_YAML } from './helpers.js';

const committed = readFileSync(FLEET_SCHEMA_FILE, 'utf8');

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(JSON.parse(committed) as object);
}

describe('schemas/fleet.schema.json', () => {
  it('equals a fresh generation from the zod model (run `npm run schemas` when this fails)', () => {
    expect(committed).toBe(renderFleetSchema());
  });

  it('is draft 2020-12 with an $id and a title, and ends with a newline', () => {
    const schema = JSON.parse(committed) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(FLEET_SCHEMA_ID);
    expect(schema.title).toBe('Portcullis Fleet');
    expect(committed.endsWith('}\n')).toBe(true);
  });

  it('makes fields with a default optional (input shape)', () => {
    const schema = JSON.parse(committed) as { required: string[] };
    expect(schema.required).toEqual(['apiVersion', 'kind', 'name']);
  });

  it('accepts examples/fleet.yaml', () => {
    const validate = validator();
    const ok = validate(parse(readFileSync(EXAMPLE_YAML, 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects an unknown field and an OIDC method without issuer', () => {
    const validate = validator();
    const fleet = {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'Fleet',
      name: 'acme',
      agents: [{ name: 'a', namespace: 'team', image: 'x:1', replicaz: 2, auth: [{ type: 'oidc' }] }],
    };
    expect(validate(fleet)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(paths).toContain('/agents/0 additionalProperties');
    expect(paths).toContain('/agents/0/auth/0 required');
  });

  it('publishes the runtime contract schema, never stale either (run `npm run schemas` after a change)', () => {
    expect(readFileSync(RUNTIME_SCHEMA_FILE, 'utf8')).toBe(renderRuntimeSchema());
  });
});
