import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { statechartMarkdown, statechartMermaid } from './statechart-diagram';

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
