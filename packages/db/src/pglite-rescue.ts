import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Rescue of a PGlite folder whose `pg_control` names a checkpoint that the WAL no longer holds, as
 * when two processes wrote over each other's WAL (README, "The embedded database"). PostgreSQL
 * then stops with `PANIC: could not locate a valid checkpoint record`. This points `pg_control`
 * back at the latest intact checkpoint record before it (CRC-checked), so PostgreSQL replays the WAL
 * from there to its end. A way to read data out (then `pnpm backup`), not a repair: what the two
 * processes wrote over each other may be missing or mixed.
 */
export type RescueOutcome =
  | { reason: 'checkpoint-intact'; checkpoint: string }
  | { reason: 'no-intact-checkpoint'; checkpoint: string }
  | { reason: 'rescued'; from: string; to: string; saved: string };

const table = Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});

/** CRC-32C as PostgreSQL computes it (pg_crc32c), continued from `crc`. */
function crc32c(bytes: Uint8Array, crc = 0xffffffff): number {
  for (const b of bytes) crc = (table[(crc ^ b) & 0xff]! ^ (crc >>> 8)) >>> 0;
  return crc;
}
const finish = (crc: number) => (crc ^ 0xffffffff) >>> 0;
const lsnText = (lsn: bigint) => `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;

const checkpointBytes = 88; // sizeof(CheckPoint) in PostgreSQL 17-18
const headerBytes = 24; // XLogRecord
const pageBytes = 8192;

/** The checkpoint record at `offset` of a WAL segment, if it is one and its CRC holds: its CheckPoint bytes. */
function checkpointAt(seg: Buffer, offset: number): Buffer | undefined {
  if (offset < 0 || offset + headerBytes + 2 + checkpointBytes > seg.length) return undefined;
  const total = seg.readUInt32LE(offset);
  const info = seg[offset + 16]!;
  const rmid = seg[offset + 17]!;
  if (rmid !== 0 || (info & 0xf0) > 0x10 || total !== headerBytes + 2 + checkpointBytes) return undefined;
  if ((offset % pageBytes) + total > pageBytes) return undefined; // a record across pages is not followed here
  if (seg[offset + headerBytes] !== 0xff || seg[offset + headerBytes + 1] !== checkpointBytes) return undefined;
  const crc = finish(crc32c(seg.subarray(offset, offset + 20), crc32c(seg.subarray(offset + headerBytes, offset + total))));
  if (crc !== seg.readUInt32LE(offset + 20)) return undefined;
  return seg.subarray(offset + headerBytes + 2, offset + total);
}

/**
 * Points the folder's `pg_control` at the latest intact checkpoint before the one it names, when
 * that one is not intact; saves the old file as `global/pg_control.before-rescue`. Stop every
 * process on the folder first (its lock file says which).
 * @example rescuePglite('.data/pglite') // { reason: 'rescued', from: '0/1924428', to: '0/16EF920', … }
 */
export function rescuePglite(dataDir: string): RescueOutcome {
  const controlPath = join(dataDir, 'global', 'pg_control');
  const control = readFileSync(controlPath);
  let crcAt = -1;
  for (let n = 128; n + 4 <= Math.min(control.length, 1024); n += 4) {
    if (finish(crc32c(control.subarray(0, n))) === control.readUInt32LE(n)) {
      crcAt = n;
      break;
    }
  }
  if (crcAt < 0) throw new Error(`${controlPath}: no valid pg_control (CRC) found`);
  const pointer = control.readBigUInt64LE(32);
  const wal = join(dataDir, 'pg_wal');
  const segments = readdirSync(wal).filter((f) => /^[0-9A-F]{24}$/.test(f)).sort();
  let best: { lsn: bigint; checkpoint: Buffer } | undefined;
  for (const name of segments) {
    const seg = readFileSync(join(wal, name));
    const start = (BigInt(`0x${name.slice(8, 16)}`) << 32n) + BigInt(`0x${name.slice(16, 24)}`) * BigInt(statSync(join(wal, name)).size);
    if (pointer >= start && pointer < start + BigInt(seg.length) && checkpointAt(seg, Number(pointer - start))) {
      return { reason: 'checkpoint-intact', checkpoint: lsnText(pointer) };
    }
    for (let off = 0; off < seg.length; off += 8) {
      if (off % pageBytes < (off < pageBytes ? 40 : 24)) continue; // page headers: long on a segment's first page, short after
      const lsn = start + BigInt(off);
      if (lsn >= pointer) break;
      const cp = checkpointAt(seg, off);
      if (cp && (!best || lsn > best.lsn)) best = { lsn, checkpoint: Buffer.from(cp) };
    }
  }
  if (!best) return { reason: 'no-intact-checkpoint', checkpoint: lsnText(pointer) };
  const saved = `${controlPath}.before-rescue`;
  if (!existsSync(saved)) copyFileSync(controlPath, saved);
  const next = Buffer.from(control);
  next.writeBigUInt64LE(best.lsn, 32);
  best.checkpoint.copy(next, 40);
  // DB_IN_PRODUCTION: "not properly shut down", so PostgreSQL replays the WAL after the checkpoint
  // (with "shut down" it would start at the checkpoint and lose every later commit)
  next.writeUInt32LE(6, 16);
  next.writeUInt32LE(finish(crc32c(next.subarray(0, crcAt))), crcAt);
  writeFileSync(controlPath, next);
  return { reason: 'rescued', from: lsnText(pointer), to: lsnText(best.lsn), saved };
}
