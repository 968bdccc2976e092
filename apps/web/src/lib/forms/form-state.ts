/**
 * How one field shows right now, after its `visibleWhen` / `requiredWhen` / `enabledWhen` rules,
 * and, for a field the filler does not set (`x-computed`, `readOnly`, `x-hidden`), the value the
 * server will store: computed live by the shared validator's own `applyLocked`.
 */
export type FieldState = {
  visible: boolean;
  required: boolean;
  enabled: boolean;
  readOnly?: boolean;
  hidden?: boolean;
  computed?: boolean;
  /** a locked field's value as stored (fen for money) */
  value?: unknown;
  /** a locked money field's value in yuan */
  display?: string;
};
