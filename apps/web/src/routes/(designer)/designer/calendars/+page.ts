import { api } from '$lib/api/client.ts';
import type { CalendarAnswer, CalendarList } from '@estateflow/api/schemas';
import type { CalendarDocument } from '@estateflow/calendar';
import { designerEstate } from '../designer-estate.ts';
import type { PageLoad } from './$types';

export type CalendarItem = CalendarList['items'][number];

/** The estate's calendars and the document of the one asked for (`?calendar=`, else the first). */
export const load: PageLoad = async ({ parent, fetch, url }) => {
  await parent();
  const estateId = designerEstate(url);
  const { items } = await api<CalendarList>(`/calendars?estateId=${estateId}`, { fetch });
  const key = url.searchParams.get('calendar') ?? items[0]?.key;
  const current = key && items.some((i) => i.key === key)
    ? // the calendar's reader type (@estateflow/calendar): the answer declares the document as a JSON object
      (await api<CalendarAnswer>(`/calendars/${encodeURIComponent(key)}?estateId=${estateId}`, { fetch })).document as unknown as CalendarDocument
    : null;
  return { estateId, items, current };
};
