import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { EdgeRef } from './workflow-doc.ts';

export const NODE_W = 170;
export const NODE_H = 54;

type Positions = Map<string, { x: number; y: number }>;

// ELK (1.6 MB of compiled Java) runs in a Web Worker, so the page paints and stays responsive.
let elk: InstanceType<typeof ELK> | undefined;
function engine(): InstanceType<typeof ELK> {
  elk ??= new ELK({ workerUrl: elkWorkerUrl });
  return elk;
}

/** An immediate layered placement (breadth-first depth from the first state), shown until ELK answers. */
export function quickLayout(states: string[], edges: EdgeRef[]): Positions {
  const depth = new Map<string, number>();
  const queue = states.length ? [states[0]!] : [];
  if (queue[0]) depth.set(queue[0], 0);
  while (queue.length) {
    const s = queue.shift()!;
    for (const e of edges) if (e.from === s && !depth.has(e.to)) {
      depth.set(e.to, depth.get(s)! + 1);
      queue.push(e.to);
    }
  }
  let maxDepth = Math.max(0, ...depth.values());
  for (const s of states) if (!depth.has(s)) depth.set(s, ++maxDepth);
  const perRow = new Map<number, number>();
  const out: Positions = new Map();
  for (const s of states) {
    const d = depth.get(s)!;
    const col = perRow.get(d) ?? 0;
    perRow.set(d, col + 1);
    out.set(s, { x: col * (NODE_W + 50), y: d * (NODE_H + 70) });
  }
  return out;
}

/** Positions for the states, laid out top-down by ELK's layered algorithm, the initial state (when given) in the top layer. */
export async function layoutGraph(states: string[], edges: EdgeRef[], initial?: string): Promise<Positions> {
  const graph = await engine().layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '50',
      'elk.edgeRouting': 'SPLINES',
    },
    // the initial state in the first layer: the process reads from the top
    children: states.map((id) => ({ id, width: NODE_W, height: NODE_H, ...(id === initial ? { layoutOptions: { 'elk.layered.layering.layerConstraint': 'FIRST' } } : {}) })),
    edges: edges.filter((e) => e.from !== e.to).map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  });
  return new Map((graph.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
