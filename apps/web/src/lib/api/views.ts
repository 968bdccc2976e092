import type { Action, Clock, HistoryEntry, Instance, InstanceDetail, Task } from '@estateflow/api/schemas';
import type { Text } from '$lib/i18n/index.svelte.ts';
import type { Words } from '@estateflow/api/schemas';

/**
 * What the runner pages show: the API's answers (types from the route schemas,
 * `@estateflow/api/schemas`) under the API's own field names, plus what the UI joins in.
 */
export type { Action, Clock, HistoryEntry };

/** A task (on the instance page with its holder's display name), with its estate's name and its workflow's title joined in by the UI. */
export type TaskRow = Task & Partial<Pick<InstanceDetail['tasks'][number], 'assigneeName'>> & {
  estateName?: Text | string;
  workflowTitle?: Text;
  /** the words of the request's version for the caller's role ($lib/present) */
  words?: Words;
};

/** One history entry with its event's label from the pinned workflow (residents see the event name). */
export type HistoryRow = HistoryEntry & { label?: Text };

/** An instance: the detail answer (a list row carries the summary part), its estate's name and its history. */
export type InstanceView = Instance &
  Partial<Pick<InstanceDetail, 'title' | 'clocks' | 'actions' | 'formParams' | 'timers' | 'people' | 'startedByName' | 'requestedForName'>> & {
    estateName?: Text | string;
    tasks?: TaskRow[];
    history?: HistoryRow[];
    /** the words of the pinned version for the caller's role ($lib/present) */
    words?: Words;
  };

/** A process the user may start in one of their estates. */
export type ProcessEntry = { key: string; estateId: string; estateName?: Text | string; title: Text; version?: number; startForm?: string | null };

/** Whether an SLA clock is past its goal: stopped as breached, or still running with no time left. */
export const isBreached = (c: Clock): boolean => c.status === 'breached' || (c.remainingMs ?? 0) < 0;
