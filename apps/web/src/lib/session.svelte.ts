import type { Text } from '$lib/i18n/index.svelte.ts';
import type { Me as MeAnswer } from '@estateflow/api/schemas';

export type Membership = { estateId: string; estateName?: Text | string; role: string; roleTitle?: Text; permissions?: string[]; timeZone?: string };
export type Me = {
  id: string;
  username: string;
  displayName: string;
  tenantId?: string;
  locale?: string;
  /** large-text mode (适老化), kept on the user's account */
  largeText?: boolean;
  /** the password was set by someone else: every page but /account waits until it is changed */
  mustChangePassword?: boolean;
  demo?: boolean;
  memberships: Membership[];
};

/** The `/api/auth/me` answer: `{ user, memberships }` (its route schema). */
export type MeResponse = MeAnswer;

/** Flattens the API's `{ user, memberships }` into the session's `Me`. */
export function toMe(body: MeResponse): Me {
  return { ...body.user, memberships: body.memberships };
}

class Session {
  me = $state<Me | null>(null);

  get roles(): string[] {
    return [...new Set((this.me?.memberships ?? []).map((m) => m.role))];
  }

  has(...roles: string[]): boolean {
    return this.roles.some((r) => roles.includes(r));
  }

  get estates(): { id: string; name: Text | string }[] {
    const seen = new Map<string, Text | string>();
    for (const m of this.me?.memberships ?? []) if (!seen.has(m.estateId)) seen.set(m.estateId, m.estateName ?? m.estateId);
    return [...seen].map(([id, name]) => ({ id, name }));
  }

  /** Whether the caller's role holds `permission` in some estate (or in `estateId`). */
  can(permission: string, estateId?: string): boolean {
    return (this.me?.memberships ?? []).some((m) => (estateId === undefined || m.estateId === estateId) && (m.permissions ?? []).includes(permission));
  }

  /** The estates where the caller's role holds `permission`. */
  estatesWith(permission: string): { id: string; name: Text | string }[] {
    return this.estates.filter((e) => this.can(permission, e.id));
  }

  /** The estate's time zone (estates.time_zone), Asia/Shanghai when unknown. */
  timeZoneOf(estateId: string | undefined): string {
    return this.me?.memberships.find((m) => m.estateId === estateId)?.timeZone ?? 'Asia/Shanghai';
  }

  /** The caller's role in an estate. */
  roleIn(estateId: string | undefined): string | undefined {
    return this.me?.memberships.find((m) => m.estateId === estateId)?.role;
  }

  get isDesigner(): boolean {
    return this.can('design');
  }

  get isResident(): boolean {
    return this.roles.length > 0 && this.roles.every((r) => r === 'resident');
  }
}

/** Who is signed in, loaded once by the root layout. */
export const session = new Session();
