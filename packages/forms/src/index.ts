export { compileForm, checkForm, FormDefinitionError, DEFAULT_MAX_STRING_LENGTH, DEFAULT_PHONE_PATTERN } from './compile-form.ts';
export type { CompiledForm, CompiledField, CompiledSection, FormDefinitionIssue } from './compile-form.ts';
export { validateFormData } from './validate.ts';
export { defaultMessage } from './messages.ts';
export type { FieldError, ValidateOptions, ValidationResult } from './validate.ts';
export { renderModel } from './render-model.ts';
export { isVisible, visibleFields } from './visibility.ts';
export type { HasVisibility } from './visibility.ts';
export { humanise } from './humanise.ts';
export type { RenderModel, RenderSection, RenderField, RenderOption, RenderConstraints, RenderInput } from './render-model.ts';
export { INPUT_LIMITS } from './sanitize.ts';
export { normalizeLocale } from './locale.ts';
export type { Locale } from './locale.ts';
export { WIDGETS } from './form-definition.ts';
export type {
  FormDefinition, FormField, FormSection, FormOption, FormWidget, FieldSchema, ScalarFieldSchema,
  RecordFieldSchema, ListFieldSchema, Text,
} from './form-definition.ts';
export type { RuleInput, FieldState } from './rules.ts';
