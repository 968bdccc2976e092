/**
 * `wf validate <file|dir>… [--json] [--locale zh|en]`: validates definitions and bundles and prints
 * findings like a compiler (`file:pointer: error: message [rule]`). Exit code 1 when any error is
 * found, 0 otherwise (warnings do not fail), 2 on bad usage.
 */
import { formatFinding, hasErrors, validatePath, type Finding } from '@estateflow/definitions';
import { processIo, type Command, parseCommandArgs } from './io.ts';

const HELP = `用法 usage: wf validate <file|dir>… [--json] [--locale zh|en]
  --json         以 JSON 输出发现的问题 print findings as JSON
  --locale zh|en 只用一种语言 print one language only (default: both)`;

export const validateCommand: Command = async (args, io = processIo) => {
  const parsed = parseCommandArgs(args, { json: { type: 'boolean' }, locale: { type: 'string' } }, HELP, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const locale = values.locale;
  if (positionals.length === 0 || (locale !== undefined && locale !== 'zh' && locale !== 'en')) {
    io.err(HELP);
    return 2;
  }
  const findings: Finding[] = [];
  for (const path of positionals) findings.push(...(await validatePath(path)));
  if (values.json) {
    io.out(JSON.stringify(findings, null, 2));
  } else {
    for (const f of findings) {
      if (locale === 'zh' || locale === 'en') io.out(formatFinding(f, locale));
      else io.out(`${formatFinding(f, 'zh')}\n    ${f.message.en}`);
    }
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.length - errors;
    io.out(errors > 0 ? `✗ ${errors} 个错误，${warnings} 个警告 / ${errors} error(s), ${warnings} warning(s)` : `✓ 没有错误（${warnings} 个警告） / no errors (${warnings} warning(s))`);
  }
  return hasErrors(findings) ? 1 : 0;
};
