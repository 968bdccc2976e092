import { commonSchema } from './generated/common.ts';

/** The action vocabulary the engine implements, straight from `common.schema.json#/$defs/Action`. */
export const ACTION_TYPES = commonSchema.$defs.Action.properties.type.enum;
export type ActionType = (typeof ACTION_TYPES)[number];

/** The built-in roles (a company may add its own; `system` sends timer and child events and is never declared). */
export { BUILT_IN_ROLES as PLATFORM_ROLES, type BuiltInRole as PlatformRole } from './roles.ts';

/** Calendars that exist without being declared in a bundle. */
export const BUILT_IN_CALENDARS: readonly string[] = ['cn-statutory'];
