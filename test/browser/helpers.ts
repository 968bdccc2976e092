import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

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
