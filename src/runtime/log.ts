import pino from 'pino';
import type { RequestHeaders } from './headers.js';

export type Logger = pino.Logger;
export const REDACTED = '[REDACTED]';

/**
 * JSON logs (pino). Credential headers are redacted twice over: by name when headers are turned into a
 * log field (`redactHeaders`, which knows the config's own credential headers), and by pino's redact
 * paths for the fixed names, should a header object ever be logged some other way.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const fixed = ['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'set-cookie', 'x-forwarded-client-cert'];
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'portcullis-runtime' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: fixed.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]), censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** Headers as a log field: credential values replaced, query parameter values of injected keys too. */
export function redactHeaders(
  headers: RequestHeaders,
  sensitive: ReadonlySet<string>,
  sensitiveQuery: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of headers.names()) {
    if (sensitive.has(name)) out[name] = REDACTED;
    else if (name === ':path') out[name] = redactQuery(headers.get(name) ?? '', sensitiveQuery);
    else out[name] = headers.count(name) > 1 ? `${headers.get(name)} (+${headers.count(name) - 1} more)` : (headers.get(name) ?? '');
  }
  return out;
}

/** A path with the values of the given query parameters (and of any key/token-looking one) replaced. */
export function redactQuery(path: string, names: ReadonlySet<string>): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = path
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      return eq >= 0 && (names.has(name) || /key|token|secret|sig|password|credential/i.test(name)) ? `${name}=${REDACTED}` : p;
    });
  return `${path.slice(0, q)}?${params.join('&')}`;
}
