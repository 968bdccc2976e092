import type { Text } from './adapters/definitions.ts';

export type EngineErrorReason =
  | 'not-allowed'
  | 'form-invalid'
  | 'unknown-event'
  | 'event-not-accepted'
  | 'loop-limit'
  | 'expr-error'
  | 'instance-done'
  | 'invalid-definition';

/** An expected failure, as a value: a literal `reason`, a bilingual message, and where it points. */
export type EngineError = {
  reason: EngineErrorReason;
  message: Text;
  field?: string;
  path?: string;
  issues?: { field: string; message: Text }[];
  cause?: unknown;
};

export const engineError = (reason: EngineErrorReason, message: Text, extra: Omit<EngineError, 'reason' | 'message'> = {}): EngineError => ({
  reason,
  message,
  ...extra,
});

/** Thrown inside XState actions so the step can turn it back into a value. */
export class EngineFault extends Error {
  constructor(readonly error: EngineError) {
    super(error.message.en);
  }
}

/** A definition the engine cannot compile; names the JSON pointer and says how to fix it. */
export class DefinitionError extends Error {
  constructor(readonly path: string, readonly text: Text) {
    super(`${text.en} at ${path}`);
    this.name = 'DefinitionError';
  }
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value ${JSON.stringify(x)}`);
}
