import { parseArgs, type ParseArgsConfig } from 'node:util';
/** Where a command writes; tests pass their own. */
export type CommandIo = { out: (line: string) => void; err: (line: string) => void };
export const processIo: CommandIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** A `wf` command: arguments after its name, returns the exit code. */
export type Command = (args: string[], io?: CommandIo) => Promise<number>;

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>;

/**
 * Parses a command's arguments with `--help`/`-h` added: answers the parsed values, or the exit
 * code when the command is done already (0 after printing the help, 2 after a usage error).
 */
export function parseCommandArgs<O extends Options>(args: string[], options: O, help: string, io: CommandIo): Parsed<O> | number {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  } catch (e) {
    io.err(`${(e as Error).message}\n${help}`);
    return 2;
  }
  if ((parsed.values as Record<string, unknown>)['help'] === true) {
    io.out(help);
    return 0;
  }
  return parsed as unknown as Parsed<O>;
}
