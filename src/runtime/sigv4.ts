import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * An AWS shared credentials file (what AI Gateway's BackendSecurityPolicy reads too): the [default]
 * profile, or the only one, with aws_access_key_id, aws_secret_access_key and optionally aws_session_token.
 */
export function parseAwsCredentials(text: string, where: string): AwsCredentials {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const t = lines[n]!.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(t);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(t);
    // by number only: the line may be a key pasted on its own, and no part of a key goes into a message
    if (!kv) throw new Error(`${where}: not an AWS credentials file (line ${n + 1} is neither [profile] nor key = value)`);
    if (!current) {
      current = new Map();
      sections.set('default', current);
    }
    current.set(kv[1]!.toLowerCase(), kv[2]!);
  }
  const profile = sections.get('default') ?? (sections.size === 1 ? [...sections.values()][0] : undefined);
  const id = profile?.get('aws_access_key_id');
  const secret = profile?.get('aws_secret_access_key');
  if (!id || !secret) throw new Error(`${where}: no [default] profile with aws_access_key_id and aws_secret_access_key`);
  const token = profile!.get('aws_session_token');
  return { accessKeyId: id, secretAccessKey: secret, ...(token && { sessionToken: token }) };
}

export interface SigningInput {
  readonly method: string;
  /** The request path as sent upstream, query included. */
  readonly path: string;
  readonly body: Buffer;
  readonly contentType?: string;
}

/** A SigV4 signer for one set of credentials, region, service and upstream host (built once per load). */
export class SigV4Signer {
  private readonly signer: SignatureV4;

  constructor(
    credentials: AwsCredentials,
    readonly region: string,
    readonly service: string,
    readonly host: string,
    /** Prefix the route rewrites away after ext_proc: the path is signed as it leaves the gateway. */
    readonly stripPrefix?: string,
  ) {
    this.signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256') as never });
  }

  /** `/bedrock/model/x` -> `/model/x`, as Gateway API's ReplacePrefixMatch "/" rewrites it. */
  upstreamPath(path: string): string {
    const p = this.stripPrefix;
    if (!p || (path !== p && !path.startsWith(`${p}/`))) return path;
    return path.slice(p.length) || '/';
  }

  /** The headers to set on the request: authorization, x-amz-date, x-amz-content-sha256 (+ x-amz-security-token). */
  async sign(input: SigningInput, now: Date): Promise<Record<string, string>> {
    const q = input.path.indexOf('?');
    const path = this.upstreamPath(q < 0 ? input.path : input.path.slice(0, q));
    const query: Record<string, string | string[]> = {};
    if (q >= 0) {
      for (const [k, v] of new URLSearchParams(input.path.slice(q + 1))) {
        const prior = query[k];
        query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
      }
    }
    const headers: Record<string, string> = { host: this.host };
    if (input.contentType) headers['content-type'] = input.contentType;
    const signed = await this.signer.sign(
      { method: input.method, protocol: 'https:', hostname: this.host, path, query, headers, body: input.body },
      { signingDate: now },
    );
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) {
      const name = k.toLowerCase();
      if (name === 'host' || name === 'content-type') continue;
      out[name] = String(v);
    }
    return out;
  }
}
