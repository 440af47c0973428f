import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  admitObject,
  type CompiledRule,
  compiledRules,
  escapeFieldName,
  evaluateValidations,
  findCrd,
  type OpenApiSchema,
  runValidations,
} from '../../src/validate/admission/index.js';
import { crdKinds } from '../../src/validate/admission/crds.js';

const CRD_ROOT = join(import.meta.dirname, '..', '..', 'schemas', 'crds');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'admission');
const GROUPS = ['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io', 'gateway.envoyproxy.io', 'aigateway.envoyproxy.io'];

interface Located {
  where: string;
  compiled: CompiledRule;
}

/** Every rule of every served version of every vendored CRD, compiled. */
function allRules(): Located[] {
  const found: Located[] = [];
  const walk = (schema: OpenApiSchema, where: string): void => {
    for (const compiled of compiledRules(schema)) found.push({ where, compiled });
    for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${where}.${name}`);
    if (schema.items) walk(schema.items, `${where}[]`);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${where}{}`);
  };
  for (const group of GROUPS) {
    for (const kind of crdKinds(group)) {
      for (const version of findCrd(group, kind)?.versions ?? []) if (version.served) walk(version.schema, `${kind}/${version.name}`);
    }
  }
  return found;
}

/** `rule:` entries in the CRD sources that crds.ts loads, counted in the text. */
function ruleLinesInSources(): number {
  const files = [
    join(CRD_ROOT, 'gateway-api', 'gatewayapi-crds.experimental-bundle.yaml'),
    ...['envoy-gateway', 'ai-gateway'].flatMap((dir) =>
      readdirSync(join(CRD_ROOT, dir))
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => join(CRD_ROOT, dir, name)),
    ),
  ];
  return files.reduce((sum, file) => sum + (readFileSync(file, 'utf8').match(/^\s*(- )?rule:/gm)?.length ?? 0), 0);
}

describe('the vendored CRDs’ CEL rules', () => {
  const rules = allRules();

  it('finds every rule of the sources', () => {
    expect(rules.length).toBe(ruleLinesInSources());
  });

  it('compiles every rule: none is unknown to this evaluator', () => {
    const broken = rules.filter(({ compiled }) => compiled.status === 'broken');
    expect(broken.map(({ where, compiled }) => `${where}: ${compiled.rule.rule}: ${'reason' in compiled ? compiled.reason : ''}`)).toEqual([]);
  });

  it('skips only the update-only rules, those reading oldSelf', () => {
    const skipped = rules.filter(({ compiled }) => compiled.status === 'skipped').map(({ where, compiled }) => `${where}: ${compiled.rule.rule}`);
    expect(skipped).toEqual([
      'GatewayClass/v1.spec.controllerName: self == oldSelf',
      'GatewayClass/v1beta1.spec.controllerName: self == oldSelf',
      'XMesh/v1alpha1.spec.controllerName: self == oldSelf',
    ]);
  });
});

/** A one-node schema under `spec`, to test a rule on its own. */
function specSchema(spec: OpenApiSchema): OpenApiSchema {
  return { type: 'object', properties: { spec } };
}

describe('Kubernetes CEL semantics', () => {
  it('escapes property names as the API server does', () => {
    expect(escapeFieldName('namespace')).toBe('__namespace__');
    expect(escapeFieldName('x-user.id/v1')).toBe('x__dash__user__dot__id__slash__v1');
    expect(escapeFieldName('a__b')).toBe('a__underscores__b');
    expect(escapeFieldName('1st')).toBeUndefined();
    expect(escapeFieldName('has space')).toBeUndefined();
  });

  it('reaches escaped fields, types integers as ints, and tells absent fields from undeclared ones', () => {
    const schema = specSchema({
      type: 'object',
      properties: { namespace: { type: 'string' }, port: { type: 'integer' }, 'x-y': { type: 'boolean' }, other: { type: 'integer' } },
      'x-kubernetes-validations': [
        { rule: "self.__namespace__ == 'default' && self.x__dash__y", message: 'escaped fields' },
        { rule: 'self.port == 8080 && {"a": 8080}["a"] == self.port && type(self.port) == int', message: 'int typing' },
        { rule: 'self.other == 1' },
        { rule: 'self.missing == 1' },
      ],
    });
    const issues = evaluateValidations(schema, { spec: { namespace: 'default', port: 8080, 'x-y': true } });
    expect(issues.map((issue) => issue.message)).toEqual([
      'spec: Invalid value: "object": no such key: other evaluating rule: self.other == 1',
      "spec: rule could not be evaluated: self.missing == 1: undefined field 'missing'",
    ]);
  });

  it('words failures with message, messageExpression, reason and fieldPath', () => {
    const schema = specSchema({
      type: 'object',
      properties: { name: { type: 'string' }, replicas: { type: 'integer' } },
      'x-kubernetes-validations': [
        { rule: 'self.replicas < 10' },
        { rule: 'self.replicas < 5', messageExpression: "'replicas is ' + string(self.replicas)" },
        { rule: 'self.replicas < 3', message: 'too many', reason: 'FieldValueForbidden', fieldPath: '.replicas' },
        { rule: 'self.replicas < 2', message: 'fallback', messageExpression: "'  '" },
      ],
    });
    expect(evaluateValidations(schema, { spec: { name: 'a', replicas: 12 } }).map((issue) => issue.message)).toEqual([
      'spec: Invalid value: "object": failed rule: self.replicas < 10',
      'spec: Invalid value: "object": replicas is 12',
      'spec.replicas: Forbidden: too many',
      'spec: Invalid value: "object": fallback',
    ]);
  });

  it('counts passes, skips oldSelf rules and never passes a rule it cannot evaluate', () => {
    const schema = specSchema({
      type: 'string',
      'x-kubernetes-validations': [{ rule: 'self == oldSelf' }, { rule: "self.size() > 0" }, { rule: 'nosuch(self)' }],
    });
    const run = runValidations(schema, { spec: 'x' });
    expect(run.passed).toBe(1);
    expect(run.skipped).toBe(1);
    expect(run.issues.map((issue) => issue.message)).toEqual([
      "spec: rule could not be evaluated: nosuch(self): undeclared reference to 'nosuch'",
    ]);
  });

  it('treats int-or-string values dynamically and reports type errors as unevaluable', () => {
    const schema = specSchema({ 'x-kubernetes-int-or-string': true, 'x-kubernetes-validations': [{ rule: 'self > 1' }] });
    expect(evaluateValidations(schema, { spec: 2 })).toEqual([]);
    expect(evaluateValidations(schema, { spec: '50%' })[0].message).toMatch(/^spec: rule could not be evaluated: self > 1: found no matching overload/);
  });

  it('walks map values and list items, and skips absent and null values', () => {
    const item: OpenApiSchema = { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'", message: 'bad value' }] };
    const schema = specSchema({
      type: 'object',
      properties: { list: { type: 'array', items: item }, labels: { type: 'object', additionalProperties: item } },
    });
    const issues = evaluateValidations(schema, { spec: { list: ['ok', 'bad'], labels: { a: 'bad' } } });
    expect(issues.map((issue) => issue.message)).toEqual([
      'spec.list[1]: Invalid value: "string": bad value',
      'spec.labels[a]: Invalid value: "string": bad value',
    ]);
    expect(evaluateValidations(schema, { spec: { list: null } })).toEqual([]);
  });

  it('implements isIP and the format library like Kubernetes', () => {
    const schema = specSchema({
      type: 'object',
      properties: { ips: { type: 'array', items: { type: 'string' } }, name: { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: 'self.ips.filter(ip, isIP(ip)) == ["1.2.3.4", "::1"]', message: 'isIP' },
        { rule: "format.dns1123Label().validate(self.name).value()[0].startsWith('a lowercase RFC 1123 label')", message: 'format' },
        { rule: '!format.dns1123Subdomain().validate("a.b").hasValue()', message: 'subdomain' },
        { rule: 'format.dns1123Label().validate("ok") == null', message: 'an optional never equals null' },
      ],
    });
    const spec = { ips: ['1.2.3.4', '01.2.3.4', '::1', '::ffff:1.2.3.4', 'fe80::1%eth0', 'host'], name: 'Not_A_Label' };
    expect(evaluateValidations(schema, { spec }).map((issue) => issue.message)).toEqual([
      'spec: Invalid value: "object": an optional never equals null',
    ]);
  });

  it('does not run the rules after a blocking structural error, as the API server', () => {
    const issues = admitObject({
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'x', namespace: 'default' },
      spec: { jwt: { providers: [{ name: 'p', remoteJWKS: { uri: 42 } }] } },
    });
    expect(issues.at(-1)?.message).toBe(
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    );
    expect(issues.some((issue) => issue.rule)).toBe(false);
  });
});

type Expected = { valid: true } | { valid: false; errors: string[] };

const cases = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => name.replace(/\.yaml$/, ''));

function admitCase(name: string) {
  const obj = parse(readFileSync(join(FIXTURES, `${name}.yaml`), 'utf8')) as { kind: string };
  const expected = JSON.parse(readFileSync(join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;
  return { kind: obj.kind, expected, issues: admitObject(obj) };
}

describe('admission fixtures: structural step then CEL rules', () => {
  it.each(cases)('%s', (name) => {
    const { expected, issues } = admitCase(name);
    const messages = issues.map((issue) => issue.message);
    if (expected.valid) {
      expect(messages).toEqual([]);
      return;
    }
    expect(messages).toHaveLength(expected.errors.length);
    for (const substring of expected.errors) expect(messages.some((message) => message.includes(substring)), `${substring}\n in ${messages.join('\n')}`).toBe(true);
    expect(messages.join('\n')).not.toContain('rule could not be evaluated');
  });

  it('covers every kind we emit with failing CEL rules and valid objects', () => {
    const results = cases.map(admitCase);
    const celFailures = results.filter(({ expected, issues }) => !expected.valid && issues.some((issue) => issue.rule));
    expect(celFailures.length).toBeGreaterThanOrEqual(45);
    expect(results.filter(({ expected }) => expected.valid).length).toBeGreaterThanOrEqual(20);
    expect(new Set(celFailures.map(({ kind }) => kind))).toEqual(
      new Set([
        'SecurityPolicy',
        'EnvoyExtensionPolicy',
        'BackendTrafficPolicy',
        'ClientTrafficPolicy',
        'HTTPRoute',
        'Gateway',
        'HTTPRouteFilter',
        'Backend',
        'AIGatewayRoute',
        'AIServiceBackend',
        'BackendSecurityPolicy',
      ]),
    );
  });
});
