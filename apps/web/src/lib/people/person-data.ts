import { api } from '$lib/api/client.ts';

/**
 * A person's data on request (PIPL art. 45): GET /api/people/export (people and personal-data
 * permissions; audited) saved as a JSON file named after them. Used by /people and /residents.
 */
export async function downloadPersonData(estateId: string, person: { id: string; displayName: string }): Promise<void> {
  const doc = await api<unknown>(`/people/export?estateId=${estateId}&userId=${person.id}`);
  const href = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href, download: `${person.displayName}.json` });
  a.click();
  URL.revokeObjectURL(href);
}
