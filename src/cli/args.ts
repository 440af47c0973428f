import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs`, strict, with its errors turned into one-line usage errors that name the command. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, command: string, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError(argsMessage(err, command));
  }
}

function argsMessage(err: unknown, command: string): string {
  const help = `run "portcullis ${command} --help" for its usage`;
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''} for "portcullis ${command}"; ${help}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `${quoted ? `option ${quoted.replace(/ <value>$/, '')}` : 'an option'} needs a value; ${help}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ? `"${quoted}"` : ''} for "portcullis ${command}"; ${help}`;
    default:
      return `${message.split('\n')[0]!.replace(/\.$/, '')}; ${help}`;
  }
}

/** `err.code` of a Node system error, in words a user can act on. */
export function describeFsError(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ENOTDIR':
      return 'a parent of it is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** True for the errors Node's fs functions throw (they carry a `code` like ENOENT and a `syscall`). */
export function isFsError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}
