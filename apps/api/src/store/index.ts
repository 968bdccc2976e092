export { fingerprintOf, IdempotencyRace, type BoundVersion, type CommitAnswer, type EventStore, type HistoryRow, type InstanceContext, type InstanceKey, type LoadOptions, type WithinOptions } from './event-store.ts';
export { historyAfter, planClaim, planWrite, rowAfter, searchTextOf, type GoneInstance, type IdempotencyInput, type NewInstance, type WriteExtras, type WriteOutcome } from './plan-write.ts';
export type * from './write-plan.ts';
export { FastEventStore } from './fast-store.ts';
export { ReferenceEventStore } from './reference-store.ts';
export { contextsFromJson, estateContext, executeNamed, jsonValue, rowsOf } from './sql.ts';
