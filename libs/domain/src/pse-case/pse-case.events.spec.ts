import { z } from 'zod';
import { runCommands, blockedCase } from './__fixtures__/pse-case.fixtures';
import { PseCaseCommand } from './pse-case.commands';
import {
  PseCaseEventData,
  PseCaseEventEnvelope,
  pseCaseEventEnvelopeSchemas,
  pseCaseEventTypes,
  RegistrationConfirmed,
} from './pse-case.events';

describe('event and command schemas', () => {
  it('names every event in the past tense, one schema per type', () => {
    expect(pseCaseEventTypes).toHaveLength(21);
    for (const type of pseCaseEventTypes) {
      expect(type).toMatch(/^[A-Z][A-Za-z]+(ed|Elapsed|Granted|Imposed|Paid|Lifted)$/);
      expect(pseCaseEventEnvelopeSchemas[type]).toBeDefined();
    }
  });

  it('accepts the ministry certificate format only', () => {
    expect(
      RegistrationConfirmed.safeParse({ registrationNumber: '006860.01/DJAI.PSE/08/2022' }).success,
    ).toBe(true);
    expect(RegistrationConfirmed.safeParse({ registrationNumber: '6860.01/DJAI.PSE/08/2022' }).success).toBe(
      false,
    );
    expect(RegistrationConfirmed.safeParse({ registrationNumber: '006860.01/DJAI.PSE/8/2022' }).success).toBe(
      false,
    );
  });

  it('round-trips decided envelopes through the store schema, and rejects a mismatched payload', () => {
    const { events } = runCommands(blockedCase('rt'));
    const stored = JSON.parse(JSON.stringify(events)) as unknown[];
    expect(stored.map((e) => PseCaseEventEnvelope.parse(e))).toEqual(events);
    const wrong = { ...events[1], data: { orderNumber: 'B', domains: [] } };
    expect(PseCaseEventEnvelope.safeParse(wrong).success).toBe(false);
    expect(
      PseCaseEventData.safeParse({ type: 'FinePaid', data: { fineId: 'F1', amountIdr: 1.5, reference: 'x' } })
        .success,
    ).toBe(false);
  });

  it('publishes a JSON Schema per event type', () => {
    const schema = z.toJSONSchema(pseCaseEventEnvelopeSchemas.WarningIssued, { unrepresentable: 'any' }) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['eventId', 'type', 'data', 'state', 'hash', 'prevHash']),
    );
    expect(schema.properties.type).toEqual({ type: 'string', const: 'WarningIssued' });
  });

  it('parses commands at the edge, filling defaults', () => {
    const parsed = PseCaseCommand.parse({
      type: 'IdentifyPse',
      pseId: 'p',
      name: 'P',
      origin: 'domestic',
      domains: [],
    });
    expect(parsed).toEqual({
      type: 'IdentifyPse',
      pseId: 'p',
      name: 'P',
      origin: 'domestic',
      domains: [],
      company: null,
      sector: null,
    });
    expect(
      PseCaseCommand.safeParse({ type: 'ImposeFine', pseId: 'p', decisionNumber: 'D', amountIdr: -1 })
        .success,
    ).toBe(false);
  });
});
