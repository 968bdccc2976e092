import { readFileSync } from 'node:fs';
import type { Text } from '../errors.ts';

/** Shortest password accepted (issue #17; NIST SP 800-63B asks at least 8, the company asks 10). */
export const MIN_PASSWORD_LENGTH = 10;
/** Longest: argon2 hashes any length, but a megabyte-long "password" is an attack on the CPU. */
export const MAX_PASSWORD_LENGTH = 200;

/** The common-password list shipped with the project (`common-passwords.txt`), lower-cased. */
const common: ReadonlySet<string> = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l && !l.startsWith('#')),
);

/**
 * Why a new password is refused, or undefined when it is acceptable: at least 10 characters, not the
 * user name (nor containing it), not one character repeated, not on the shipped common-password list.
 */
export function passwordProblem(password: string, username: string): Text | undefined {
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH) return { zh: `密码至少 ${MIN_PASSWORD_LENGTH} 个字符（现在 ${chars.length} 个）`, en: `The password needs at least ${MIN_PASSWORD_LENGTH} characters (it has ${chars.length})` };
  if (chars.length > MAX_PASSWORD_LENGTH) return { zh: `密码最多 ${MAX_PASSWORD_LENGTH} 个字符`, en: `The password may have at most ${MAX_PASSWORD_LENGTH} characters` };
  const lower = password.toLowerCase();
  const name = username.trim().toLowerCase();
  if (name && lower.includes(name)) return { zh: '密码不能包含用户名', en: 'The password may not contain the user name' };
  if (new Set(chars).size === 1) return { zh: '密码不能是同一个字符的重复', en: 'The password may not be one character repeated' };
  if (common.has(lower)) return { zh: '这是常见密码，很容易被猜到，请换一个', en: 'This is a common password that is easily guessed; choose another' };
  return undefined;
}

/** How many passwords the shipped list holds (tests, README). */
export const commonPasswordCount = (): number => common.size;

const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A random password to hand over (an admin's new account): 12 characters without look-alikes (0/O, 1/l/I). */
export function generatePassword(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return [...random(12)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}
