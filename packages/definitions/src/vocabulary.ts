import { commonSchema } from './generated/common.ts';

/** The action vocabulary the engine implements, straight from `common.schema.json#/$defs/Action`. */
export const ACTION_TYPES = commonSchema.$defs.Action.properties.type.enum;
export type ActionType = (typeof ACTION_TYPES)[number];

/** Platform roles a definition may declare (`system` sends timer and child events and is never declared). */
export const PLATFORM_ROLES = commonSchema.$defs.Role.enum;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** Calendars that exist without being declared in a bundle. */
export const BUILT_IN_CALENDARS: readonly string[] = ['cn-statutory'];
