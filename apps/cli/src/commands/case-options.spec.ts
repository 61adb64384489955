import { OPERATIONS } from '@sanksi/client';
import { CommandBodies as B } from '@sanksi/contracts';
import { UsageError } from '../cli.errors';
import { CASE_CLI_COMMANDS } from './case-command-table';
import { bodyFromOptions, fieldOptions, optionOfField } from './case-options';

describe('case command options, derived from the body schemas', () => {
  it('given the fine body, then one option per field, typed and required as the schema says', () => {
    expect(fieldOptions(B.ImposeFineBody)).toEqual([
      { field: 'decisionNumber', flag: 'decision-number', kind: 'text', required: true, choices: undefined },
      { field: 'amountIdr', flag: 'amount-idr', kind: 'number', required: true, choices: undefined },
      { field: 'occurredAt', flag: 'occurred-at', kind: 'text', required: false, choices: undefined },
    ]);
    expect(fieldOptions(B.SuspendRegistrationBody).find((o) => o.field === 'by')?.choices).toEqual([
      'TAKEL',
      'PAI',
    ]);
    expect(fieldOptions(B.RestoreAccessBody).find((o) => o.field === 'override')?.kind).toBe('flag');
    expect(fieldOptions(B.BlockAccessBody).find((o) => o.field === 'domains')?.kind).toBe('list');
  });

  it('given option values as typed, then the body the API takes: numbers, lists split on commas', () => {
    expect(bodyFromOptions(B.ImposeFineBody, { decisionNumber: ' KEP-1 ', amountIdr: '10_000_000' })).toEqual(
      {
        decisionNumber: 'KEP-1',
        amountIdr: 10_000_000,
      },
    );
    expect(
      bodyFromOptions(B.BlockAccessBody, {
        orderNumber: 'O-1',
        domains: ['a.example,b.example', 'c.example'],
      }),
    ).toEqual({
      orderNumber: 'O-1',
      domains: ['a.example', 'b.example', 'c.example'],
    });
  });

  it('given bad or missing values, then a usage error naming each option', () => {
    const attempt = () => bodyFromOptions(B.ImposeFineBody, { amountIdr: 'lots', occurredAt: 'yesterday' });
    expect(attempt).toThrow(UsageError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as UsageError).problems;
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
        '--amount-idr',
        '--decision-number',
        '--occurred-at',
      ]);
    }
    expect(optionOfField('body.letterNumber')).toBe('--letter-number');
    expect(optionOfField('header.If-Match')).toBe('header.If-Match');
  });
});

describe('the CLI command table against the API', () => {
  it('given each CLI command, then its operation is a POST of the API whose path takes the same arguments', () => {
    for (const spec of CASE_CLI_COMMANDS) {
      const operation = (OPERATIONS as Record<string, { method: string; path: string }>)[spec.operationId];
      expect({ name: spec.name, method: operation?.method }).toEqual({ name: spec.name, method: 'post' });
      expect({ name: spec.name, pseId: operation.path.includes('{pseId}') }).toEqual({
        name: spec.name,
        pseId: !spec.opensCase,
      });
      expect({ name: spec.name, fineId: operation.path.includes('{fineId}') }).toEqual({
        name: spec.name,
        fineId: Boolean(spec.fine),
      });
    }
  });

  it('given every command route of the API, then the CLI has a command for it', () => {
    const routes = Object.entries(OPERATIONS as Record<string, { method: string; path: string }>)
      .filter(([, o]) => o.method === 'post' && o.path.startsWith('/v1/cases'))
      .map(([id]) => id)
      .sort();
    expect(CASE_CLI_COMMANDS.map((c) => c.operationId).sort()).toEqual(routes);
  });
});
