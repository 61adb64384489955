import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { statechartGraph, statechartMarkdown, statechartMermaid } from './statechart-diagram';

const committed = resolve(__dirname, '../../../../docs/statechart.md');

describe('docs/statechart.md', () => {
  it('draws every state and the blocked substates', () => {
    const diagram = statechartMermaid();
    expect(diagram.startsWith('stateDiagram-v2')).toBe(true);
    expect(diagram).toContain('state blocked {');
    expect(diagram).toContain('enforced --> temporarilyRestored : AccessTemporarilyRestored');
    expect(diagram).toContain('warned --> blocked : AccessBlocked [blockFromWarned]');
  });

  it('matches the machine (regenerate with UPDATE_DIAGRAM=1 npx nx test domain)', () => {
    const expected = statechartMarkdown();
    if (process.env.UPDATE_DIAGRAM === '1') writeFileSync(committed, expected);
    const actual = readFileSync(committed, 'utf8');
    if (actual !== expected) {
      throw new Error(
        'docs/statechart.md is out of date with pseCaseMachine. Regenerate it: UPDATE_DIAGRAM=1 npx nx test domain',
      );
    }
  });
});

describe('statechartGraph', () => {
  it('given the machine, when read as data, then it has every state of the diagram and every drawn transition', () => {
    const graph = statechartGraph();
    const ids = graph.states.map((s) => s.id);
    expect(graph.initial).toBe('absent');
    expect(ids).toEqual(
      expect.arrayContaining(['unregistered', 'warned', 'blocked', 'blocked.enforced', 'exempted']),
    );
    expect(graph.states.find((s) => s.id === 'blocked')).toMatchObject({
      parent: null,
      initial: 'blocked.enforced',
    });
    expect(graph.states.find((s) => s.id === 'blocked.temporarilyRestored')).toMatchObject({
      parent: 'blocked',
    });
    expect(graph.transitions).toContainEqual({
      source: 'warned',
      target: 'blocked',
      event: 'AccessBlocked',
      guards: ['blockFromWarned'],
    });
    // every transition joins two known states, and the diagram draws exactly as many arrows
    for (const t of graph.transitions)
      expect([ids.includes(t.source), ids.includes(t.target)]).toEqual([true, true]);
    const arrows = statechartMermaid()
      .split('\n')
      .filter((l) => / --> /.test(l) && !l.includes('[*]'));
    expect(graph.transitions).toHaveLength(arrows.length);
  });
});
