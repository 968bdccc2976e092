/** How one field shows right now, after its `visibleWhen` / `requiredWhen` / `enabledWhen` rules. */
export type FieldState = { visible: boolean; required: boolean; enabled: boolean };
