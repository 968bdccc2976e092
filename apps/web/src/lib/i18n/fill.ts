/**
 * A message with its variables filled: `{name}` is the value; `{name:one|other}` is `one` when the
 * value is 1 and `other` otherwise (English plurals: "1 bill", "3 bills"; Chinese needs none).
 * @example fill('{n} {n:bill|bills}', { n: 1 }) // '1 bill'
 */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template
    .replace(/\{(\w+):([^|{}]*)\|([^{}]*)\}/g, (_, name: string, one: string, other: string) => (Number(vars[name]) === 1 ? one : other))
    .replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}
