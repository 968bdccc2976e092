/** A message in zh-CN and en. */
export type LocalText = { zh: string; en: string };

export type Severity = 'error' | 'warning';

/** One problem found in a definition: where (file + JSON Pointer), which rule, what, in both languages. */
export type Finding = {
  severity: Severity;
  rule: string;
  file: string;
  pointer: string;
  message: LocalText;
};

export type Locale = 'zh' | 'en';

/** JSON Pointer (RFC 6901) for a path of keys and indexes. */
export function pointer(path: readonly (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Shorthand used by every rule. */
export function finding(rule: string, file: string, path: string | readonly (string | number)[], zh: string, en: string, severity: Severity = 'error'): Finding {
  return { severity, rule, file, pointer: typeof path === 'string' ? path : pointer(path), message: { zh, en } };
}

const SEVERITY: Record<Locale, Record<Severity, string>> = {
  zh: { error: '错误', warning: '警告' },
  en: { error: 'error', warning: 'warning' },
};

/**
 * Formats a finding like a compiler: `file:pointer: error: message [rule]`.
 * @example formatFinding(f, 'en') // "workflow.json:/machine/initial: error: Unknown state "x" [unknown-target]"
 */
export function formatFinding(f: Finding, locale: Locale = 'zh'): string {
  return `${f.file}:${f.pointer || '/'}: ${SEVERITY[locale][f.severity]}: ${f.message[locale]} [${f.rule}]`;
}

/** True when any finding is an error (warnings do not fail validation). */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
