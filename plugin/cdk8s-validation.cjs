'use strict';
// cdk8s validation plugin: offline API-server admission (vendored CRD schemas, defaults and CEL rules)
// of every manifest `cdk8s synth` writes. Declared in cdk8s.yaml; cdk8s loads plugins with require(),
// so this file is CommonJS and imports the compiled ESM check from lib/ (built by `npm run build`).

/** @implements {import('cdk8s-cli/lib/plugins/validation').Validation} */
class PortcullisAdmission {
  constructor(properties = {}) {
    this.properties = properties;
  }

  /** @param {import('cdk8s-cli/lib/plugins/validation').ValidationContext} context */
  async validate(context) {
    const { admit } = await import('../lib/validate/index.js');
    let failed = false;
    for (const manifestPath of context.manifests) {
      for (const obj of context.parseManifest(manifestPath)) {
        if (!obj) continue;
        const issues = admit(obj);
        if (issues.length === 0) continue;
        failed = true;
        const name = [obj.kind, obj.metadata?.namespace, obj.metadata?.name].filter(Boolean).join('/');
        context.report.addViolation({
          ruleName: `api-server-admission: ${name}`,
          recommendation: issues.map((i) => i.message).join('\n'),
          fix: 'change the construct that emits this object; portcullis constructs report these at synth with their construct path',
          violatingResources: [{ resourceName: name, manifestPath, locations: issues.map((i) => i.path || '.') }],
        });
      }
    }
    context.report.submit(failed ? 'failure' : 'success');
  }
}

module.exports = { PortcullisAdmission };
