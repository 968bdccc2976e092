import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '@estateflow/db';
import type { Actor } from '@estateflow/engine';
import { ApiError } from './errors.ts';
import type { CompiledCache } from './services/compiled-cache.ts';
import { sendEvent, startInstance } from './services/event-path.ts';
import { findUserId } from './services/provision.ts';
import { latestVersion } from './services/definition-store.ts';
import { staffFields } from './services/staff-picks.ts';

interface ScenarioStep {
  send?: string;
  actor?: { role: string; id?: string };
  data?: Record<string, unknown>;
  advance?: string;
  at?: string;
}
interface Scenario {
  workflow: string;
  start: { at?: string; actor: { role: string; id?: string }; data: Record<string, unknown> };
  steps?: ScenarioStep[];
}

/**
 * Processes whose requests are about one home by nature (a renovation permit, a handover inspection,
 * a move-in, a revisit of a difficult owner): in the demo they are the demo resident's unit's, as are
 * the requests the demo resident raises, so that unit's household file (一户一档) is alive.
 */
const HOME_PROCESSES = new Set(['renovation', 'handover-defects', 'move-in', 'difficult-owner-revisit']);

/** How far into each bundle's scenarios the demo goes, so the inbox shows work at several stages. */
const stagesPerWorkflow = [0, 1, 2];

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A scenario's data with every instant and calendar date moved by `offsetMs` (dates by whole days). Pure. */
export function shiftInstants<T>(value: T, offsetMs: number): T {
  if (offsetMs === 0) return value;
  if (typeof value === 'string') {
    if (INSTANT.test(value)) return new Date(Date.parse(value) + offsetMs).toISOString() as T;
    if (DATE.test(value)) return new Date(Date.parse(`${value}T00:00:00Z`) + Math.round(offsetMs / 86_400_000) * 86_400_000).toISOString().slice(0, 10) as T;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => shiftInstants(v, offsetMs)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shiftInstants(v, offsetMs)])) as T;
  return value;
}

/**
 * Puts live work into a new demo estate: for the first scenarios of every installed bundle, starts
 * an instance with the scenario's start data and sends its first few events (as the demo user of
 * each step's role, through the real event path), stopping before the scenario's first time jump.
 * Returns the number of instances started.
 */
export async function seedDemoActivity(
  deps: { db: Db; cache: CompiledCache; now: () => Date },
  where: { tenantId: string; estateId: string; workflowsDir: string; bundles: string[]; homeUnitId?: string },
): Promise<number> {
  const actorOf = async (role: string): Promise<Actor> => {
    const username = role === 'admin' ? 'admin' : role.replace(/_/g, '-');
    return { id: (await findUserId(deps.db, username)) ?? username, role };
  };
  let started = 0;
  for (const bundle of where.bundles) {
    const dir = join(where.workflowsDir, bundle, 'scenarios');
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.scenario.json')).sort();
    const seen = new Map<string, number>();
    for (const file of files) {
      const scenario = JSON.parse(await readFile(join(dir, file), 'utf8')) as Scenario;
      const n = seen.get(scenario.workflow) ?? 0;
      if (n >= stagesPerWorkflow.length) continue;
      seen.set(scenario.workflow, n + 1);
      try {
        // a person the scenario names on a form's staff field (tech-zhao) is the demo's staff member of that role (王师傅)
        const version = await latestVersion(deps.db, where.tenantId, where.estateId, 'workflow', scenario.workflow);
        const compiled = version ? (await deps.cache.get(deps.db, where.tenantId, version.id)).compiled : undefined;
        const actorRoles = new Map([scenario.start.actor, ...(scenario.steps ?? []).map((s) => s.actor)].flatMap((a) => (a?.id ? [[a.id, a.role] as const] : [])));
        const people = async (data: Record<string, unknown>, formId: string | undefined): Promise<Record<string, unknown>> => {
          const out = { ...data };
          for (const [field, f] of staffFields(formId ? compiled?.formDefinitions.get(formId) : undefined)) {
            const v = out[field];
            if (typeof v === 'string' && v !== '') out[field] = (await actorOf(actorRoles.get(v) ?? f.role ?? 'dispatcher')).id;
          }
          return out;
        };
        // the scenario's dates move with it to today, so the demo opens on current work, not months-old overdue rows
        const offset = scenario.start.at ? deps.now().getTime() - Date.parse(scenario.start.at) : 0;
        const inst = await startInstance(deps, {
          tenantId: where.tenantId, estateId: where.estateId, workflowKey: scenario.workflow,
          data: await people(shiftInstants(scenario.start.data, offset), compiled?.definition.start?.form), actor: await actorOf(scenario.start.actor.role),
          ...(where.homeUnitId && (scenario.start.actor.role === 'resident' || HOME_PROCESSES.has(scenario.workflow)) ? { unitId: where.homeUnitId } : {}),
        });
        started++;
        for (const s of (scenario.steps ?? []).slice(0, stagesPerWorkflow[n])) {
          if (!s.send || s.advance || s.at) break;
          await sendEvent(deps, {
            tenantId: where.tenantId, instanceId: inst.id,
            event: { type: s.send, data: await people(shiftInstants(s.data ?? {}, offset), compiled?.definition.events[s.send]?.form) }, actor: await actorOf(s.actor?.role ?? scenario.start.actor.role),
          });
        }
      } catch (e) {
        // a scenario step that needs its own clock or data is simply where this demo instance rests
        if (!(e instanceof ApiError)) throw e;
      }
    }
  }
  return started;
}
