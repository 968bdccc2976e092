/**
 * @estateflow/definitions: the definition language at run time. Schemas from `schemas/`, types
 * derived from them (json-schema-to-ts), strict cached ajv validators, limits checked before
 * validation, and the semantic lint behind `wf validate`.
 */
export { schemas, DOCUMENT_KINDS, validatorFor, compileDataSchema, createAjv, DATA_ANNOTATIONS } from './ajv.ts';
export type { DocumentKind, SchemaKind } from './ajv.ts';
export { validateDocument, validateSlaPolicy, isValidDocument, documentKind } from './validate-document.ts';
export type { ValidateOptions } from './validate-document.ts';
export { loadBundle, validateBundle, validatePath } from './bundle.ts';
export type { LoadedBundle, LoadedDocument } from './bundle.ts';
export { formatFinding, hasErrors, pointer } from './finding.ts';
export type { Finding, LocalText, Locale, Severity } from './finding.ts';
export { didYouMean, levenshtein } from './did-you-mean.ts';
export { ACTION_TYPES, PLATFORM_ROLES, BUILT_IN_CALENDARS } from './vocabulary.ts';
export type { ActionType, PlatformRole } from './vocabulary.ts';
export { PERMISSIONS, BUILT_IN_ROLES, BUILT_IN_ROLE_DEFINITIONS, SYSTEM_ROLE, ROLE_KEY_PATTERN, builtInRole } from './roles.ts';
export type { Permission, RoleDefinition, BuiltInRole } from './roles.ts';
export { LIMITS, FORBIDDEN_KEYS, MAX_AMOUNT_FEN, checkLimits, parseJson } from './limits.ts';
export { MAX_PATTERNED_LENGTH } from './lint/data-schema.ts';
export { statePaths, lintSlaPolicy, SLA_CONDITION_LISTS } from './lint/sla.ts';
export type { SlaPolicyContext } from './lint/sla.ts';
export { lintDuplicateNotices } from './lint/sla-notices.ts';
export { lintDeadlinesStatedTwice } from './lint/sla-deadlines.ts';
export { transientStates } from './lint/sla.ts';
export { REQUIREMENT_ID, quantities, chineseNumber } from './lint/texts.ts';
export { textSites, renderDescription, renderDescriptions, fullText } from './texts.ts';
export type { TextSite, TextUse } from './texts.ts';
export { contextFields, contextFieldNames, formsOf } from './context-fields.ts';
export type { ContextFieldView } from './context-fields.ts';
export { serialPrefixOf, formatSerial, instanceSerial, chargeSerial, prefixClashes } from './serial.ts';
export { diffJson, type Change } from './diff-json.ts';
export { checkParamValue, paramKind, paramNumberShown, type ParamKind, type ParamSchema } from './params.ts';
export { formsNamed } from './forms-named.ts';
export { changeList, type ChangeLine, type ChangeListOptions } from './change-list.ts';
export type * from './generated/index.ts';
export { FIGURE_TABLES, FIGURE_SCALARS, isFigureTable, type Figure, type FigureTable, type FigureScalar } from './figures.ts';
