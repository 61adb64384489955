import type { AnyStateNode } from 'xstate';
import { guardNames, guardReasons } from '../history/replay';
import { pseCaseMachine } from '../pse-case/pse-case.machine';

interface Edge {
  source: string;
  target: string;
  label: string;
}

function edgesOf(node: AnyStateNode): Edge[] {
  return [...node.transitions.values()].flat().map((t) => {
    const guards = guardNames(t.guard);
    return {
      source: node.key,
      target: t.target?.[0]?.key ?? node.key,
      label: guards.length > 0 ? `${t.eventType} [${guards.join(' & ')}]` : t.eventType,
    };
  });
}

function renderNode(node: AnyStateNode, indent: string): string[] {
  const children = Object.values(node.states) as AnyStateNode[];
  const lines: string[] = [];
  if (children.length > 0) {
    lines.push(`${indent}state ${node.key} {`);
    lines.push(`${indent}  [*] --> ${(node.config.initial as string | undefined) ?? children[0].key}`);
    for (const child of children) lines.push(...renderNode(child, `${indent}  `));
    lines.push(`${indent}}`);
  }
  for (const edge of edgesOf(node)) lines.push(`${indent}${edge.source} --> ${edge.target} : ${edge.label}`);
  return lines;
}

/** One state of the statechart as data: `id` is its dotted path (`blocked.enforced`). */
export interface StatechartNode {
  id: string;
  key: string;
  /** The compound state it belongs to, null at the top level. */
  parent: string | null;
  /** The child entered first, for a compound state. */
  initial: string | null;
}

/** One transition of the statechart as data, with the guards that must hold for it to be taken. */
export interface StatechartTransition {
  source: string;
  target: string;
  event: string;
  guards: string[];
}

/** The statechart as data, for drawing it elsewhere (the web console lays it out itself). */
export interface StatechartGraph {
  initial: string;
  states: StatechartNode[];
  transitions: StatechartTransition[];
  /** Events accepted in every state once the case exists; they stay in the current state. */
  shared: Array<{ event: string; guards: string[] }>;
  guards: Record<string, string>;
}

const idOf = (node: AnyStateNode): string => node.path.join('.');

function graphOf(node: AnyStateNode, parent: string | null): Pick<StatechartGraph, 'states' | 'transitions'> {
  const children = Object.values(node.states) as AnyStateNode[];
  const id = idOf(node);
  const initial = (node.config.initial as string | undefined) ?? children[0]?.key;
  const own = {
    states: [{ id, key: node.key, parent, initial: children.length > 0 ? `${id}.${initial}` : null }],
    transitions: [...node.transitions.values()].flat().map((t) => ({
      source: id,
      target: t.target?.[0] ? idOf(t.target[0]) : id,
      event: t.eventType,
      guards: guardNames(t.guard),
    })),
  };
  const nested = children.map((child) => graphOf(child, id));
  return {
    states: [...own.states, ...nested.flatMap((n) => n.states)],
    transitions: [...own.transitions, ...nested.flatMap((n) => n.transitions)],
  };
}

/** The statechart's states and transitions as data, read from the machine definition as the Mermaid diagram is. */
export function statechartGraph(): StatechartGraph {
  const root = pseCaseMachine.root;
  const top = (Object.values(root.states) as AnyStateNode[]).map((node) => graphOf(node, null));
  return {
    initial: root.config.initial as string,
    states: top.flatMap((n) => n.states),
    transitions: top.flatMap((n) => n.transitions),
    shared: [...root.transitions.values()]
      .flat()
      .map((t) => ({ event: t.eventType, guards: guardNames(t.guard) })),
    guards: { ...guardReasons },
  };
}

/** The statechart as a Mermaid `stateDiagram-v2`, generated from the machine definition itself. */
export function statechartMermaid(): string {
  const root = pseCaseMachine.root;
  const top = Object.values(root.states) as AnyStateNode[];
  return [
    'stateDiagram-v2',
    `  [*] --> ${root.config.initial as string}`,
    ...top.flatMap((node) => renderNode(node, '  ')),
  ].join('\n');
}

/** `docs/statechart.md`: the diagram, the transitions every state shares, and what each guard means. */
export function statechartMarkdown(): string {
  const shared = edgesOf(pseCaseMachine.root).map((e) => `- \`${e.label}\` (stays in the current state)`);
  const guards = Object.entries(guardReasons).map(([name, reason]) => `| \`${name}\` | ${reason} |`);
  return [
    '# The PSE case statechart',
    '',
    'Generated from `pseCaseMachine` (`libs/domain/src/pse-case/pse-case.machine.ts`) by',
    '`statechartMarkdown()`; do not edit by hand. Regenerate with `UPDATE_DIAGRAM=1 npx nx test domain`.',
    '',
    "The machine's events are the domain events themselves. `absent` is the case before `PseIdentified`;",
    'the ten states of docs/regulation.md §14 follow. A case is on the blocklist in `blocked.enforced` and `revoked`.',
    '',
    '```mermaid',
    statechartMermaid(),
    '```',
    '',
    'Accepted in every state once the case exists:',
    '',
    ...shared,
    '',
    '| guard | meaning |',
    '|---|---|',
    ...guards,
    '',
  ].join('\n');
}
