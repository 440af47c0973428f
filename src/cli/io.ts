/** Where a command writes, so tests can capture it. */
export interface Writer {
  write(text: string): unknown;
}

export interface CliIo {
  readonly stdout: Writer;
  readonly stderr: Writer;
  /** Environment read by the CLI (PORTCULLIS_DEBUG). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** A problem with how the CLI was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, problems: 1, usage: 2, internal: 70 } as const;

/** One portcullis command: its help text and its run function (argv after the command name). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}
