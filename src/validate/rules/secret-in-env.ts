import { PROVIDER_KEY_ENV } from '../../model/index.js';
import type { Finding, Rule } from '../rule.js';
import { agentRef } from '../rule.js';

/** Value shapes of real credentials (provider keys, cloud keys, tokens, private keys). */
const SECRET_VALUE: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/, // OpenAI, Anthropic (sk-ant-...)
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API key
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, // GitHub tokens
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./, // a JWT
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];
/** Names that announce a secret, when the value is long and random enough to be one. */
const SECRET_NAME = /(^|_)(API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?|PRIVATE_KEY)(_|$)/i;
const PLACEHOLDER = /^(|changeme|placeholder|none|null|dummy|unused|portcullis-injected-by-proxy)$/i;

function looksSecret(name: string, value: string): boolean {
  if (SECRET_VALUE.some((r) => r.test(value))) return true;
  return SECRET_NAME.test(name) && !PLACEHOLDER.test(value) && value.length >= 12 && !/^https?:\/\//.test(value) && !/\s/.test(value);
}

export const secretInEnv: Rule = {
  code: 'PC009',
  severity: 'error',
  title: 'literal secret-looking value in an agent environment',
  check(fleet) {
    const found: Finding[] = [];
    fleet.agents.forEach((agent, i) => {
      for (const [name, value] of Object.entries(agent.env)) {
        // provider key variables are PC020's, with a fix that points at the egress gateway
        if (!PROVIDER_KEY_ENV.includes(name) && looksSecret(name, value))
          found.push({
            entity: agentRef(i),
            field: `env.${name}`,
            // never echo the value: it may be a live credential
            message: `the value of ${name} looks like a credential; it would be committed in plain text and readable by anything that can read the pod spec`,
            hint: 'remove it: provider keys are injected by the egress gateway, and other secrets belong in a Secret mounted by the platform',
          });
      }
    });
    return found;
  },
};
