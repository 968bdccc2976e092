/**
 * `pnpm bench pattern`: user patterns on the linear-time engine (re2js). The worst pattern we found
 * (of the candidates below, measured here) × 1,000-character inputs, the stalling pattern
 * on the same length, and JavaScript's backtracking RegExp on that pattern with a 20-character
 * input (the old engine; 45 characters took 2 s, so it is kept short).
 */
import { compilePattern } from '../src/index.ts';

type BenchResult = { name: string; value: number; unit: string; ratio?: number; target?: string; baseline?: string; note?: string };

const STALLING = '^a*a*a*a*a*a*a*a*$';
// a pattern with a large program and no literal to skip to makes RE2's DFA give up and fall back
// to the NFA, which costs (input length × program size): the slowest shapes we found
const CANDIDATES = [STALLING, '^(a|a)*$', '^(\\w+\\s?)*$', '\\p{L}[\\s\\S]{400}$', '^(?:\\p{L}{0,20}\\p{Han}?){0,15}$', '(?:.?\\p{L}?){150}$', '[ab]*a[ab]{20}$'];

function inputs(): Record<string, string> {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return {
    'a×999 + !': `${'a'.repeat(999)}!`,
    '中×1000': '中'.repeat(1_000),
    'random a/中/1/space': Array.from({ length: 1_000 }, () => 'a中1 '[Math.floor(rnd() * 4)]).join(''),
    'random a/b': Array.from({ length: 1_000 }, () => (rnd() < 0.5 ? 'a' : 'b')).join(''),
  };
}

function medianMicros(fn: () => unknown, runs: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) * 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export async function run(): Promise<BenchResult[]> {
  const texts = inputs();
  let worst = { pattern: '', input: '', micros: 0 };
  let stalling = 0;
  for (const source of CANDIDATES) {
    const r = compilePattern(source);
    if (!r.ok) throw new Error(`${source}: ${r.problem.en}`);
    for (const [name, text] of Object.entries(texts)) {
      const micros = medianMicros(() => r.pattern.test(text), 15);
      if (micros > worst.micros) worst = { pattern: source, input: name, micros };
      if (source === STALLING && name === 'a×999 + !') stalling = micros;
    }
  }
  const native = new RegExp(STALLING, 'u');
  const old = medianMicros(() => native.test(`${'a'.repeat(19)}!`), 5);
  return [
    { name: 'pattern: worst found × 1,000 chars (re2js)', value: worst.micros, unit: 'µs/match', note: `${worst.pattern} on ${worst.input}; ${CANDIDATES.length} patterns × ${Object.keys(texts).length} inputs tried` },
    { name: `pattern: ${STALLING} × 1,000 chars (re2js)`, value: stalling, unit: 'µs/match', note: 'the pattern that stalled a request for 2 s at 45 chars' },
    { name: `pattern: ${STALLING} × 20 chars, old engine (RegExp)`, value: old, unit: 'µs/match', note: 'backtracking: the time multiplies with each character (45 chars: ~2 s)' },
  ];
}
