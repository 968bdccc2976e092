import type { Message } from '@estateflow/calendar';

export type SlaErrorReason = 'deadline-invalid' | 'expression-failed' | 'history-invalid';

/** Thrown by the sla package; `reason` is a closed union, `path` a JSON pointer into the definition. */
export class SlaError extends Error {
  readonly reason: SlaErrorReason;
  readonly messages: Message;
  readonly path: string | undefined;

  constructor(reason: SlaErrorReason, messages: Message, options?: { path?: string; cause?: unknown }) {
    super(`${messages.en} / ${messages.zh}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SlaError';
    this.reason = reason;
    this.messages = messages;
    this.path = options?.path;
  }
}
