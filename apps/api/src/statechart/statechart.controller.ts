import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { statechartGraph } from '@sanksi/domain';
import { z } from 'zod';
import { Allow } from '../auth/roles';
import { ApiAnswers } from '../openapi/api-answers.decorator';
import { responseSchema } from '../openapi/openapi-components';

const Guards = z.array(z.string()).meta({ description: 'Guards that must hold (named in `guards`)' });
const StatechartRef = responseSchema(
  'Statechart',
  z
    .object({
      initial: z.string(),
      states: z.array(
        z.object({
          id: z
            .string()
            .meta({ description: 'The dotted state path, as case views name it (`blocked.enforced`)' }),
          key: z.string(),
          parent: z.string().nullable(),
          initial: z
            .string()
            .nullable()
            .meta({ description: 'The child entered first, for a compound state' }),
        }),
      ),
      transitions: z.array(
        z.object({ source: z.string(), target: z.string(), event: z.string(), guards: Guards }),
      ),
      shared: z.array(z.object({ event: z.string(), guards: Guards })).meta({
        description: 'Events accepted in every state once the case exists (they stay in the current state)',
      }),
      guards: z.record(z.string(), z.string()).meta({ description: 'What each guard means' }),
    })
    .meta({
      example: {
        initial: 'absent',
        states: [{ id: 'absent', key: 'absent', parent: null, initial: null }],
        transitions: [{ source: 'absent', target: 'unregistered', event: 'PseIdentified', guards: [] }],
        shared: [{ event: 'PseProfileUpdated', guards: [] }],
        guards: { blockFromWarned: 'the warning’s response deadline has elapsed' },
      },
    }),
);

/** The case statechart as data, from the machine itself (the source docs/statechart.md is drawn from). */
@ApiTags('cases')
@Allow('public')
@Controller('v1/statechart')
export class StatechartController {
  private readonly graph = statechartGraph();

  @Get()
  @ApiOperation({
    operationId: 'getStatechart',
    summary: 'The case statechart: its states, transitions and guards, read from the machine definition',
  })
  @ApiAnswers({ description: 'The statechart', schema: StatechartRef, problems: [] })
  statechart() {
    return this.graph;
  }
}
