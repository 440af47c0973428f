import type { z } from 'zod';
import type { Listener as ListenerModel } from '../model/index.js';

export interface HttpsListenerProps {
  /** kubernetes.io/tls Secret with the server certificate, by name (same namespace) or namespace/name. */
  readonly certificateSecret: string;
  /** @default 443 */
  readonly port?: number;
  /** @default "https" */
  readonly name?: string;
  /** Hostname the listener matches, e.g. `*.agents.example.com`. @default - any */
  readonly hostname?: string;
}

export interface HttpListenerProps {
  /** @default 80 */
  readonly port?: number;
  /** @default "http" */
  readonly name?: string;
  /** @default - any */
  readonly hostname?: string;
}

/** A Gateway listener. */
export class Listener {
  static https(props: HttpsListenerProps): Listener {
    const [ns, name] = props.certificateSecret.includes('/') ? props.certificateSecret.split('/', 2) : [undefined, props.certificateSecret];
    return new Listener({
      name: props.name ?? 'https',
      protocol: 'HTTPS',
      port: props.port ?? 443,
      ...(props.hostname !== undefined && { hostname: props.hostname }),
      certificateRefs: [{ name: name!, ...(ns !== undefined && { namespace: ns }) }],
    });
  }
  static http(props: HttpListenerProps = {}): Listener {
    return new Listener({
      name: props.name ?? 'http',
      protocol: 'HTTP',
      port: props.port ?? 80,
      ...(props.hostname !== undefined && { hostname: props.hostname }),
    });
  }
  private constructor(readonly listener: z.input<typeof ListenerModel>) {}
}
