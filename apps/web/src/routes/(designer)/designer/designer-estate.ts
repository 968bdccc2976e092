import { error } from '@sveltejs/kit';
import { session } from '$lib/session.svelte.ts';

/** The estate the designer works in: `?estate=` when the user designs there, else their first designer estate. */
export function designerEstate(url: URL): string {
  const mine = (session.me?.memberships ?? []).filter((m) => m.role === 'admin' || m.role === 'consultant').map((m) => m.estateId);
  const asked = url.searchParams.get('estate');
  const id = asked && mine.includes(asked) ? asked : mine[0];
  if (!id) error(403, { message: 'Only admins and consultants design processes / 仅管理员和顾问可以设计流程' });
  return id;
}
