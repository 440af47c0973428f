/** The benches' settings from the environment. */

/**
 * A number from environment variable `name`, or `fallback` when it is unset or empty. Anything `ok` refuses
 * ends the process with a message naming the variable and what it must be (`what`), before a bench starts
 * anything.
 */
export function setting(name: string, fallback: number, ok: (n: number) => boolean, what: string): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!ok(n)) {
    console.error(`${name} must be ${what} (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return n;
}

/** A whole number, `min` or more. */
export const whole = (min: number) => (n: number) => Number.isInteger(n) && n >= min;

/** A finite number above 0. */
export const positive = (n: number) => n > 0 && Number.isFinite(n);
