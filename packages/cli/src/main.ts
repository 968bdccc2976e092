#!/usr/bin/env node
/**
 * `wf`: the EstateFlow command line. Dispatches `wf <command> …` to the registry in
 * `commands/registry.ts`. Run from the repository root as `pnpm wf <command>`; relative paths are
 * resolved against the directory pnpm was started from (INIT_CWD).
 */
import { commands } from './commands/registry.ts';
import { processIo } from './commands/io.ts';

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    '用法 usage: wf <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary.zh} / ${c.summary.en}`),
    '',
    "wf <command> --help 查看命令帮助 shows a command's options",
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const initCwd = process.env['INIT_CWD'];
  if (initCwd) process.chdir(initCwd);
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    processIo.out(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    processIo.err(`未知命令 unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  return command.run(args, processIo);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    processIo.err(`内部错误 internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 3;
  },
);
