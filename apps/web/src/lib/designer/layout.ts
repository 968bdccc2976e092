import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { EdgeRef } from './workflow-doc.ts';

export const NODE_W = 170;
export const NODE_H = 54;
/** The zoom at which the graph's labels (13 px) read without help; a process that fits whole only below it opens with its compound states collapsed (#19). */
export const MIN_READABLE_ZOOM = 1;
/** The lowest zoom a fit may take: its labels are drawn at 12 px ÷ zoom (at most 22 px), so they stay at least 12 px on screen (#19). */
export const MIN_FIT_ZOOM = 0.55;
/** The label size (px, before zoom) that reads as at least 12 px on screen at `zoom`. */
export const labelPx = (zoom: number): number => Math.max(13, Math.min(22, Math.ceil(12.2 / Math.max(zoom, 0.01))));
/** The padding of the fit to view (xyflow's: the graph box holds the boxes' extent times 1 + this). */
export const FIT_PADDING = 0.15;

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
export async function layoutGraph(states: string[], edges: EdgeRef[], initial?: string, aspectRatio = 1.4): Promise<Positions> {
  const graph = await engine().layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '50',
      'elk.edgeRouting': 'SPLINES',
      // a long chain of states is wrapped into columns side by side, to the graph box's shape
      'elk.layered.wrapping.strategy': 'MULTI_EDGE',
      'elk.aspectRatio': aspectRatio.toFixed(2),
    },
    // the initial state in the first layer: the process reads from the top
    children: states.map((id) => ({ id, width: NODE_W, height: NODE_H, ...(id === initial ? { layoutOptions: { 'elk.layered.layering.layerConstraint': 'FIRST' } } : {}) })),
    edges: edges.filter((e) => e.from !== e.to).map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  });
  return new Map((graph.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}

/**
 * Wraps a layer wider than `maxWidth` (a fan-out: incident's triage leads to 8 kinds at once) into
 * rows of equal length, one under the other, centred where the layer was; the layers below move down.
 * ELK keeps a layer on one line, which would shrink the whole graph to fit its widest layer.
 */
export function wrapWideLayers(pos: Positions, maxWidth: number): Positions {
  const gap = 50, rowStep = NODE_H + 60;
  const rows = new Map<number, string[]>();
  for (const [id, p] of pos) { const y = Math.round(p.y); rows.set(y, [...(rows.get(y) ?? []), id]); }
  const out: Positions = new Map();
  let shift = 0;
  for (const y of [...rows.keys()].sort((a, b) => a - b)) {
    const ids = rows.get(y)!.sort((a, b) => pos.get(a)!.x - pos.get(b)!.x);
    const xs = ids.map((id) => pos.get(id)!.x);
    const width = Math.max(...xs) - Math.min(...xs) + NODE_W;
    if (width <= maxWidth || ids.length < 2) {
      for (const id of ids) out.set(id, { x: pos.get(id)!.x, y: pos.get(id)!.y + shift });
      continue;
    }
    const fit = Math.max(1, Math.floor((maxWidth + gap) / (NODE_W + gap)));
    const chunks = Math.ceil(ids.length / fit);
    const per = Math.ceil(ids.length / chunks);
    const centre = Math.min(...xs) + width / 2;
    for (let c = 0; c < chunks; c++) {
      const part = ids.slice(c * per, (c + 1) * per);
      const left = centre - (part.length * NODE_W + (part.length - 1) * gap) / 2;
      part.forEach((id, i) => out.set(id, { x: left + i * (NODE_W + gap), y: pos.get(id)!.y + shift + c * rowStep }));
    }
    shift += (chunks - 1) * rowStep;
  }
  return out;
}
