import { createHash } from 'node:crypto';
import { buildFleet } from '../../examples/fleet.js';
import { PortcullisApp } from '../../src/index.js';
import { writeSecret } from './helpers.js';

/** The example fleet's runtime contract, exactly as synth writes it into the runtime's ConfigMap. */
export function exampleContract(): Record<string, any> {
  const app = new PortcullisApp({ report: () => {} });
  buildFleet(app);
  const configMap = [...app.render()].find(([f]) => f.endsWith('portcullis-system/configmap.portcullis-runtime.yaml'))![1];
  return JSON.parse(/runtime\.json: \|\n([\s\S]*)$/.exec(configMap)![1]!.replace(/^ {4}/gm, ''));
}

/** The values in the example's Secrets, as the tests mount them. */
export const EXAMPLE_SECRETS = {
  researchKey: 'rk-research-ci-0001',
  edgeProof: 'edge-proof-value-1',
  globexKey: 'byok-globex-key-1',
  initechKey: 'byok-initech-key-1',
};

/** Mounts every Secret the example contract reads under `root`, as the kubelet lays them out. */
export function writeExampleSecrets(root: string): void {
  const ns = 'portcullis-system';
  const s = EXAMPLE_SECRETS;
  writeSecret(root, ns, 'research.research-assistant-api-keys', {
    'ci-bot': JSON.stringify({ sha256: createHash('sha256').update(s.researchKey).digest('hex'), roles: ['reader'], tenant: 'acme' }),
  });
  writeSecret(root, ns, 'research.partner-edge-proof', { proof: s.edgeProof });
  writeSecret(root, ns, 'agents-egress.openai-byok-globex', { apiKey: s.globexKey });
  writeSecret(root, ns, 'agents-egress.openai-byok-initech', { apiKey: s.initechKey });
  writeSecret(root, ns, 'agents-egress.bedrock-aws-credentials', {
    credentials: '[default]\naws_access_key_id = AKIDEXAMPLEFLEET\naws_secret_access_key = example-fleet-secret-key\n',
  });
}
