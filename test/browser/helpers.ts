import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const DEMO_PASSWORD = 'estateflow';

export function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
}

/** Replaces the designer's JSON view with `json` and applies it (the JSON view is editable both ways). */
export async function applyJson(page: Page, json: string): Promise<void> {
  await page.getByRole('tab', { name: 'JSON' }).click();
  await page.getByTestId('json-text').fill(json);
  await page.getByRole('button', { name: /应用 JSON|Apply JSON/ }).click();
}

export async function publish(page: Page, note: string): Promise<string> {
  await page.getByTestId('change-note').fill(note);
  await page.getByRole('button', { name: /^(发布|Publish)$/ }).click();
  const result = page.getByTestId('publish-result');
  await result.waitFor();
  return (await result.textContent()) ?? '';
}

/** Draws a short stroke on the signature pad of `fieldId`. */
export async function sign(page: Page, fieldId: string): Promise<void> {
  const box = (await page.locator(`canvas#${fieldId}`).boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * 25, box.y + box.height / 2 + (i % 2 ? -25 : 25));
  await page.mouse.up();
}

/** A unit's row on the unit register (/units), by its label. */
export const unitRow = (page: Page, label: string) => page.getByTestId('units-table').locator(`tbody tr[data-unit="${label}"]`);

/** Finance finds a unit by its number on the register and sets its floor area from today; answers the area it had ("89.37"). */
export async function setArea(page: Page, label: string, area: string): Promise<string> {
  await page.getByTestId('units-search').fill(label);
  await page.getByTestId('units-search').press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === label);
  const before = ((await unitRow(page, label).getByTestId('unit-area').textContent()) ?? '').replace(/\s*m²$/, '').trim();
  await unitRow(page, label).getByTestId('unit-edit').click();
  const editor = page.getByTestId('unit-editor');
  await editor.getByTestId('edit-area').fill(area);
  await editor.getByTestId('edit-save').click();
  await expect.poll(() => page.getByTestId('units-notice').textContent()).toContain('建筑面积');
  await expect.poll(() => unitRow(page, label).getByTestId('unit-area').textContent()).toBe(`${area} m²`);
  return before;
}

/**
 * Enters a day (YYYY-MM-DD) or a month (YYYY-MM) in a DateInput (`box`: its `.date` group), as a
 * person does in either language: the year typed, the month and day picked. The boxes follow the UI
 * language, never the browser's (#18), so a test fills them the same way in zh and en.
 */
export async function fillDate(box: Locator, value: string): Promise<void> {
  const [year, month, day] = value.split('-');
  await box.locator('.year').fill(String(Number(year)));
  await box.locator('.month').selectOption(String(Number(month)));
  if (day !== undefined) await box.locator('.day').selectOption(String(Number(day)));
  await expect.poll(() => box.getAttribute('data-value')).toBe(value);
}
