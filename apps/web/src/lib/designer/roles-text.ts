import type { Text } from '$lib/i18n/index.svelte.ts';
import { en } from '$lib/i18n/en.ts';
import { zh, type MessageKey } from '$lib/i18n/zh.ts';

/** A role's name in both languages (for texts that carry both, such as the review's change list). */
export function roleText(role: string): Text {
  const key = `role.${role}` as MessageKey;
  return key in zh ? { zh: zh[key], en: en[key] } : { zh: role, en: role };
}
