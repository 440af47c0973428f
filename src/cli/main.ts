/**
 * The portcullis CLI. `bin/portcullis.js` only calls `main`; tests call it directly with captured io.
 * Exit codes: 0 ok, 1 problems found, 2 usage error, 70 internal error (a bug).
 */
import { explainCommand } from './commands/explain.js';
import { runtimeCommand } from './commands/runtime.js';
import { synthCommand } from './commands/synth.js';
import { validateCommand } from './commands/validate.js';
import { EXIT, UsageError, processIo, type CliIo, type Command } from './io.js';
import { packageVersion } from '../version.js';

export type { CliIo, Writer } from './io.js';

const COMMANDS: ReadonlyMap<string, Command> = new Map([synthCommand, validateCommand, explainCommand, runtimeCommand].map((c) => [c.name, c]));

export const HELP = `portcullis: compile the security perimeter of AI agents into Envoy Gateway manifests

usage:
  portcullis synth -f FILE [-o DIR]       ${synthCommand.summary}
  portcullis validate [--json] PATH...    ${validateCommand.summary}
  portcullis explain -f FILE AGENT        ${explainCommand.summary}
  portcullis runtime --config FILE        ${runtimeCommand.summary}
  portcullis help [COMMAND]               show this help, or a command's

options:
  -h, --help      show help (also after a command: portcullis synth --help)
  -v, --version   print the version

synth options:
  -f, --file FILE   the fleet, in YAML (required)
  -o, --out DIR     output directory (default: out)

runtime options (see: portcullis runtime --help):
  --config FILE --port N --metrics-port N --bind ADDR --log-level LEVEL

validate options:
  --json            print the problems as a JSON array

exit codes: 0 ok, 1 problems found, 2 usage error, 70 internal error
`;

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. Never exits the process. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`portcullis: ${err.message}\n`);
      return EXIT.usage;
    }
    return internalError(err, io);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(HELP);
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') return print(io, HELP);
  if (first === '--version' || first === '-v') return print(io, `${packageVersion()}\n`);
  if (first === 'help') return print(io, rest.length === 0 ? HELP : command(rest[0]!).help);
  return command(first).run(rest, io);
}

function command(name: string): Command {
  const found = COMMANDS.get(name);
  if (found) return found;
  if (name.startsWith('-')) throw new UsageError(`unknown option ${name}; run "portcullis --help" for the usage`);
  throw new UsageError(`unknown command "${name}"; the commands are ${[...COMMANDS.keys()].join(', ')} — run "portcullis --help" for the usage`);
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text);
  return EXIT.ok;
}

function internalError(err: unknown, io: CliIo): number {
  const env = io.env ?? process.env;
  const message = err instanceof Error ? err.message : String(err);
  try {
    io.stderr.write(`portcullis: internal error: ${message.split('\n')[0]}\n`);
    io.stderr.write('this is a bug in portcullis: please report it with the command you ran and its input (set PORTCULLIS_DEBUG=1 for the stack trace)\n');
    if (env.PORTCULLIS_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  } catch {
    // nowhere left to report to
  }
  return EXIT.internal;
}
