/** Where a command writes; tests pass their own. */
export type CommandIo = { out: (line: string) => void; err: (line: string) => void };
export const processIo: CommandIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** A `wf` command: arguments after its name, returns the exit code. */
export type Command = (args: string[], io?: CommandIo) => Promise<number>;
