import ELK from 'elkjs/lib/elk.bundled.js';
import type { EdgeRef } from './workflow-doc.ts';

const elk = new ELK();

export const NODE_W = 170;
export const NODE_H = 54;

/** Positions for the states, laid out top-down by ELK's layered algorithm. */
export async function layoutGraph(states: string[], edges: EdgeRef[]): Promise<Map<string, { x: number; y: number }>> {
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.spacing.nodeNode': '50',
      'elk.edgeRouting': 'SPLINES',
    },
    children: states.map((id) => ({ id, width: NODE_W, height: NODE_H })),
    edges: edges.filter((e) => e.from !== e.to).map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  });
  return new Map((graph.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}
