/** A bilingual message: every error a user can hit says what is wrong in zh-CN and en. */
export interface Message {
  readonly zh: string;
  readonly en: string;
}

export type CalendarErrorReason =
  | 'invalid-calendar'
  | 'unknown-calendar'
  | 'inherit-cycle'
  | 'unknown-time-zone'
  | 'no-working-time'
  | 'invalid-duration'
  | 'invalid-import';

/** Thrown by the calendar package; `reason` is a closed union, `path` a JSON pointer where one applies. */
export class CalendarError extends Error {
  readonly reason: CalendarErrorReason;
  readonly messages: Message;
  readonly path: string | undefined;

  constructor(reason: CalendarErrorReason, messages: Message, options?: { path?: string; cause?: unknown }) {
    super(`${messages.en} / ${messages.zh}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CalendarError';
    this.reason = reason;
    this.messages = messages;
    this.path = options?.path;
  }
}
