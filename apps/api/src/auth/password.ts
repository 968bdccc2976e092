import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id of @node-rs/argon2 (an ambient const enum, not importable as a value)
const argon2id = 2;
import type { ApiConfig } from '../config.ts';

/** argon2id hash of a password with the configured cost. */
export function hashPassword(password: string, config: Pick<ApiConfig, 'argon2'>): Promise<string> {
  return hash(password, { algorithm: argon2id, memoryCost: config.argon2.memoryCost, timeCost: config.argon2.timeCost, parallelism: 1 });
}

export function verifyPassword(hashed: string, password: string): Promise<boolean> {
  return verify(hashed, password).catch(() => false);
}

const dummies = new Map<string, Promise<string>>();

/**
 * Checks `password` against the user's hash, or, for a name with no user, against a hash of a
 * random password made once per process with the same cost: an unknown name costs the same time
 * as a wrong password, so the answer time does not tell which accounts exist. Always false then.
 */
export async function verifyPasswordOrDummy(hashed: string | undefined, password: string, config: Pick<ApiConfig, 'argon2'>): Promise<boolean> {
  if (hashed !== undefined) return verifyPassword(hashed, password);
  const cost = `${config.argon2.memoryCost}:${config.argon2.timeCost}`;
  let dummy = dummies.get(cost);
  if (!dummy) {
    dummy = hashPassword(randomBytes(16).toString('hex'), config);
    dummies.set(cost, dummy);
  }
  await verifyPassword(await dummy, password);
  return false;
}
