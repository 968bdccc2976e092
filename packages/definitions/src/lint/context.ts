import type { Finding } from '../finding.ts';
import type { Form, Workflow } from '../generated/index.ts';

/**
 * What a document may refer to outside itself. A set that is undefined means "not known here"
 * (a single file validated on its own), and the matching reference checks are skipped.
 */
export type LintContext = {
  file: string;
  forms?: ReadonlySet<string>;
  calendars?: ReadonlySet<string>;
  workflows?: ReadonlySet<string>;
  /** Parameters declared outside the document (the bundle's). */
  params?: ReadonlySet<string>;
  /** Default values of the parameters the document's bundle declares (bundle and workflows), for the text rules. */
  paramDefaults?: ReadonlyMap<string, unknown>;
  /** The bundle's forms by id: a workflow's context fields take their titles from them (`missing-title`). */
  formDefs?: ReadonlyMap<string, Form>;
  /** Data field names of each form in the bundle, to check `event.data.X` against the event's form. */
  formFields?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Workflows an SLA policy may measure, by id: its states, events and params are checked against the
   * one it names, and a name missing here is an error. Undefined: not known, those checks are skipped.
   */
  workflowDefs?: ReadonlyMap<string, Workflow>;
};

export type Emit = (f: Finding) => void;
