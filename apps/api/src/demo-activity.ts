import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '@estateflow/db';
import type { Actor } from '@estateflow/engine';
import { ApiError } from './errors.ts';
import type { CompiledCache } from './services/compiled-cache.ts';
import { sendEvent, startInstance } from './services/event-path.ts';
import { findUserId } from './services/provision.ts';

interface ScenarioStep {
  send?: string;
  actor?: { role: string };
  data?: Record<string, unknown>;
  advance?: string;
  at?: string;
}
interface Scenario {
  workflow: string;
  start: { actor: { role: string }; data: Record<string, unknown> };
  steps?: ScenarioStep[];
}

/** How far into each bundle's scenarios the demo goes, so the inbox shows work at several stages. */
const stagesPerWorkflow = [0, 1, 2];

/**
 * Puts live work into a new demo estate: for the first scenarios of every installed bundle, starts
 * an instance with the scenario's start data and sends its first few events (as the demo user of
 * each step's role, through the real event path), stopping before the scenario's first time jump.
 * Returns the number of instances started.
 */
export async function seedDemoActivity(
  deps: { db: Db; cache: CompiledCache; now: () => Date },
  where: { tenantId: string; estateId: string; workflowsDir: string; bundles: string[] },
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
        const inst = await startInstance(deps, {
          tenantId: where.tenantId, estateId: where.estateId, workflowKey: scenario.workflow,
          data: scenario.start.data, actor: await actorOf(scenario.start.actor.role),
        });
        started++;
        for (const s of (scenario.steps ?? []).slice(0, stagesPerWorkflow[n])) {
          if (!s.send || s.advance || s.at) break;
          await sendEvent(deps, {
            tenantId: where.tenantId, instanceId: inst.id,
            event: { type: s.send, data: s.data ?? {} }, actor: await actorOf(s.actor?.role ?? scenario.start.actor.role),
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
