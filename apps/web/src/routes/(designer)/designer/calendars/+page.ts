import { api } from '$lib/api/client.ts';
import type { CalendarDocument } from '@estateflow/calendar';
import { designerEstate } from '../designer-estate.ts';
import type { PageLoad } from './$types';

export type CalendarItem = { key: string; title?: { zh: string; en: string }; timeZone?: string; updatedAt: string };

/** The estate's calendars and the document of the one asked for (`?calendar=`, else the first). */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent();
  const estateId = designerEstate(url);
  const { items } = await api<{ items: CalendarItem[] }>(`/calendars?estateId=${estateId}`, { fetch });
  const key = url.searchParams.get('calendar') ?? items[0]?.key;
  const current = key && items.some((i) => i.key === key)
    ? (await api<{ key: string; document: CalendarDocument }>(`/calendars/${encodeURIComponent(key)}?estateId=${estateId}`, { fetch })).document
    : null;
  return { estateId, items, current };
};
