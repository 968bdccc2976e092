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
