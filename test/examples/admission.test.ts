import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildFleet } from '../../examples/fleet.js';
import { PortcullisApp } from '../../src/index.js';
import { admit } from '../../src/validate/index.js';

describe('every object of the example fleet', () => {
  it('passes offline admission against the vendored CRDs', () => {
    const app = new PortcullisApp({ report: () => {} });
    buildFleet(app);
    expect(app.lower()).toEqual([]);
    const objects = [...app.render()].filter(([f]) => f.endsWith('.yaml')).map(([, t]) => parse(t));
    const kinds = new Set(objects.map((o) => o.kind));
    // the upstream kinds are all there, so the check below covers each of their schemas
    for (const k of ['Gateway', 'HTTPRoute', 'ReferenceGrant', 'ClientTrafficPolicy', 'SecurityPolicy', 'EnvoyExtensionPolicy']) expect(kinds).toContain(k);
    for (const o of objects) expect(admit(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });
});
