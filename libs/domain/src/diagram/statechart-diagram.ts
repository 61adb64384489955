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
