import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { Statechart } from '../api/sanksi-api';

/** A state placed on the drawing (absolute coordinates). */
export interface PlacedState {
  id: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
  compound: boolean;
}

/** A drawn arrow: all the machine's transitions between one pair of states, and the polyline ELK routed. */
export interface PlacedEdge {
  id: string;
  source: string;
  target: string;
  /** Indexes into `Statechart.transitions` this arrow stands for. */
  transitions: number[];
  events: string[];
  points: Array<{ x: number; y: number }>;
}

export interface StatechartDrawing {
  width: number;
  height: number;
  states: PlacedState[];
  edges: PlacedEdge[];
}

const CHAR_WIDTH = 7;
const NODE_HEIGHT = 28;

/** Arrows between distinct states, one per (source, target) pair; self-loops are left out of the drawing. */
export function edgeGroups(chart: Statechart): Array<Omit<PlacedEdge, 'points'>> {
  const groups = new Map<string, Omit<PlacedEdge, 'points'>>();
  chart.transitions.forEach((t, index) => {
    if (t.source === t.target) return;
    const id = `${t.source}->${t.target}`;
    const group = groups.get(id) ?? { id, source: t.source, target: t.target, transitions: [], events: [] };
    group.transitions.push(index);
    if (!group.events.includes(t.event)) group.events.push(t.event);
    groups.set(id, group);
  });
  return [...groups.values()];
}

/** The statechart as an ELK graph: states nested in their compound states, arrows at the root. */
export function toElkGraph(chart: Statechart): ElkNode {
  const nodeOf = (id: string): ElkNode => {
    const state = chart.states.find((s) => s.id === id);
    const children = chart.states.filter((s) => s.parent === id).map((s) => nodeOf(s.id));
    const label = state?.key ?? id;
    return children.length > 0
      ? {
          id,
          labels: [{ text: label }],
          children,
          layoutOptions: { 'elk.padding': '[top=26,left=10,bottom=10,right=10]' },
        }
      : {
          id,
          labels: [{ text: label }],
          width: Math.max(80, label.length * CHAR_WIDTH + 20),
          height: NODE_HEIGHT,
        };
  };
  const edges: ElkExtendedEdge[] = edgeGroups(chart).map((g) => ({
    id: g.id,
    sources: [g.source],
    targets: [g.target],
  }));
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.spacing.nodeNode': '22',
      'elk.spacing.edgeEdge': '6',
    },
    children: chart.states.filter((s) => s.parent === null).map((s) => nodeOf(s.id)),
    edges,
  };
}

/** Reads ELK's result into absolute coordinates (ELK gives each child relative to its parent, each edge relative to its container). */
export function placeDrawing(chart: Statechart, laidOut: ElkNode): StatechartDrawing {
  const states: PlacedState[] = [];
  const origin = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]]);
  const walk = (node: ElkNode, dx: number, dy: number) => {
    for (const child of node.children ?? []) {
      const x = dx + (child.x ?? 0);
      const y = dy + (child.y ?? 0);
      origin.set(child.id, { x, y });
      states.push({
        id: child.id,
        label: child.labels?.[0]?.text ?? child.id,
        x,
        y,
        width: child.width ?? 0,
        height: child.height ?? 0,
        compound: (child.children?.length ?? 0) > 0,
      });
      walk(child, x, y);
    }
  };
  walk(laidOut, 0, 0);
  const groups = new Map(edgeGroups(chart).map((g) => [g.id, g]));
  const edges: PlacedEdge[] = [];
  const collect = (node: ElkNode) => {
    for (const edge of (node.edges ?? []) as Array<ElkExtendedEdge & { container?: string }>) {
      const group = groups.get(edge.id);
      const section = edge.sections?.[0];
      if (!group || !section) continue;
      const o = origin.get(edge.container ?? node.id) ?? { x: 0, y: 0 };
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({
        x: p.x + o.x,
        y: p.y + o.y,
      }));
      edges.push({ ...group, points });
    }
    for (const child of node.children ?? []) collect(child);
  };
  collect(laidOut);
  return { width: laidOut.width ?? 0, height: laidOut.height ?? 0, states, edges };
}

/** Lays the statechart out with elkjs (loaded on first use: it is the largest part of the console). */
export async function layoutStatechart(chart: Statechart): Promise<StatechartDrawing> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const laidOut = await elk.layout(toElkGraph(chart));
  return placeDrawing(chart, laidOut);
}
