import { describe, expect, it } from 'vitest';
import { loadFleetYaml, loadYamlDocuments } from '../../src/cli/yaml.js';

const FLEET = `apiVersion: portcullis.dev/v1alpha1
kind: Fleet
name: acme
agents:
  - name: a
    namespace: team
    image: x:1
    auth:
      - &oidc
        type: oidc
        issuer: https://idp.example.com
  - name: b
    namespace: team
    image: x:1
    auth: [*oidc]
`;

describe('loadFleetYaml', () => {
  it('returns the document as plain data, aliases resolved', () => {
    const { input, diagnostics } = loadFleetYaml(FLEET, 'f.yaml');
    expect(diagnostics).toEqual([]);
    const agents = (input as { agents: { auth: unknown[] }[] }).agents;
    expect(agents[1]!.auth[0]).toEqual({ type: 'oidc', issuer: 'https://idp.example.com' });
  });

  it('locates map keys and sequence items by path, 1-based', () => {
    const { locate } = loadFleetYaml(FLEET, 'f.yaml');
    expect(locate([])).toEqual({ file: 'f.yaml', line: 1, column: 1 });
    expect(locate(['name'])).toEqual({ file: 'f.yaml', line: 3, column: 1 });
    expect(locate(['agents', 1])).toEqual({ file: 'f.yaml', line: 12, column: 5 });
    expect(locate(['agents', 0, 'auth', 0, 'issuer'])).toEqual({ file: 'f.yaml', line: 11, column: 9 });
    expect(locate(['agents', 0, 'image'])).toEqual({ file: 'f.yaml', line: 7, column: 5 });
  });

  it('follows aliases when locating, to the anchored node', () => {
    const { locate } = loadFleetYaml(FLEET, 'f.yaml');
    expect(locate(['agents', 1, 'auth', 0, 'issuer'])).toEqual({ file: 'f.yaml', line: 11, column: 9 });
  });

  it('locates nothing for a path that is not in the document', () => {
    const { locate } = loadFleetYaml(FLEET, 'f.yaml');
    expect(locate(['agents', 5])).toBeUndefined();
    expect(locate(['agents', 0, 'nope'])).toBeUndefined();
    expect(locate(['name', 'deeper'])).toBeUndefined();
  });

  it('fails when a key is duplicated, with PC000 at the second key and its field', () => {
    const { input, diagnostics } = loadFleetYaml('name: acme\nagents:\n  - name: a\n    name: b\n', 'f.yaml');
    expect(input).toBeUndefined();
    expect(diagnostics).toMatchObject([
      { code: 'PC000', severity: 'error', path: 'acme', field: 'agents[0].name', location: { file: 'f.yaml', line: 4, column: 5 } },
    ]);
    expect(diagnostics[0]!.message).toBe('map keys must be unique');
  });

  it('fails on a syntax error with PC000 and a one-line message', () => {
    const { input, diagnostics } = loadFleetYaml('name: acme\nagents:\n\t- name: a\n', 'f.yaml');
    expect(input).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ code: 'PC000', severity: 'error', location: { line: 3, column: 1 } });
    expect(diagnostics[0]!.message).not.toContain('\n');
  });

  it('fails on an alias to an undefined anchor, without throwing', () => {
    const { input, diagnostics } = loadFleetYaml('name: acme\nagents:\n  - *nope\n', 'f.yaml');
    expect(input).toBeUndefined();
    expect(diagnostics).toMatchObject([{ code: 'PC000', severity: 'error', field: 'agents[0]', location: { line: 3, column: 5 } }]);
  });

  it('fails on several documents in one fleet file', () => {
    const { diagnostics } = loadFleetYaml('name: a\n---\nname: b\n', 'f.yaml');
    expect(diagnostics).toMatchObject([{ code: 'PC000', severity: 'error', location: { line: 2 } }]);
  });

  it('gives null for an empty file, located at its start', () => {
    const { input, diagnostics, locate } = loadFleetYaml('', 'f.yaml');
    expect(diagnostics).toEqual([]);
    expect(input).toBeNull();
    expect(locate([])).toEqual({ file: 'f.yaml', line: 1, column: 1 });
  });
});

describe('loadYamlDocuments', () => {
  it('returns every document, each located in the same file', () => {
    const docs = loadYamlDocuments('a: 1\n---\nb:\n  c: 2\n', 'm.yaml');
    expect(docs.map((d) => d.input)).toEqual([{ a: 1 }, { b: { c: 2 } }]);
    expect(docs[1]!.locate(['b', 'c'])).toEqual({ file: 'm.yaml', line: 4, column: 3 });
  });

  it('returns nothing for a file with only comments', () => {
    expect(loadYamlDocuments('# nothing here\n', 'm.yaml')).toEqual([]);
  });
});
