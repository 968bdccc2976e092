/**
 * The words of a workflow version as the signed-in role reads them (`GET /api/definitions/versions/:id/words`):
 * what every screen uses to name a request's workflow, state, events, fields and clocks.
 */
export type Text = { zh: string; en: string };
export type FieldWords = { title: Text; widget?: string; options?: { value: unknown; label: Text }[] };
export type Words = {
  key: string;
  version: number;
  title: Text;
  description?: Text;
  states: Record<string, Text>;
  events: Record<string, { title: Text; fields?: Record<string, FieldWords>; hidden?: string[] }>;
  fields: Record<string, FieldWords>;
  hidden: string[];
  metrics: Record<string, { title: Text }>;
  /** the key fields lists show beside the unit and title (fields marked `summary`) */
  summary?: string[];
  /** the titles of the workflow's own timers, by delay name */
  timers?: Record<string, Text>;
};
