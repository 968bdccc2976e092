import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileForm, renderModel, type FormDefinition } from '@estateflow/forms';
import { fromRenderModel, type RenderModel } from '../../apps/web/src/lib/api/render-form.ts';

const root = join(import.meta.dirname, '../..');

// residents may not read definitions: their action forms are rebuilt from GET /api/forms/:key/render (RP-1 photos)
describe('a form rebuilt from the server render model', () => {
  it('keeps the photo widget\'s accepted types and file count, and still compiles', () => {
    const doc = JSON.parse(readFileSync(join(root, 'workflows/repair/forms/rp-report.form.json'), 'utf8')) as FormDefinition;
    const model = renderModel(compileForm(doc), { locale: 'zh', data: {}, actor: { id: 'u', role: 'resident' }, now: new Date('2026-11-23T10:00:00+08:00') });
    const photo = model.sections.flatMap((s) => s.fields).find((f) => f.widget === 'photo');
    expect(photo, 'rp-report has a photo field').toBeDefined();
    const rebuilt = fromRenderModel(model as unknown as RenderModel);
    const field = rebuilt.layout!.sections.flatMap((s) => s.fields).find((f) => f.field === photo!.field) as { accept?: string[]; maxFiles?: number };
    expect(field.accept).toEqual(photo!.accept);
    expect(field.maxFiles).toBe(photo!.maxFiles);
    expect(() => compileForm(rebuilt as unknown as FormDefinition)).not.toThrow();
  });
});
