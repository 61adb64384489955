import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SanksiRuntime } from '@sanksi/application';
import { HOLIDAY_YEARS, toZone } from '@sanksi/domain';
import { z } from 'zod';
import { Allow } from '../auth/roles';
import { ApiAnswers } from '../openapi/api-answers.decorator';
import { responseSchema } from '../openapi/openapi-components';
import { SANKSI_RUNTIME } from '../runtime/runtime.token';

const CalendarRef = responseSchema(
  'BusinessCalendar',
  z
    .object({
      now: z.string().meta({ description: "The server's clock in WIB: what countdowns count from" }),
      zone: z.literal('WIB'),
      years: z.array(
        z.object({
          year: z.number().int(),
          source: z.string().meta({ description: 'The decree (SKB 3 Menteri) the year is taken from' }),
          holidays: z.array(
            z.object({
              date: z.string().meta({ description: 'Local date, YYYY-MM-DD' }),
              name: z.string(),
              kind: z.enum(['national', 'cutiBersama']),
              provisional: z.boolean().optional(),
            }),
          ),
        }),
      ),
    })
    .meta({
      example: {
        now: '2022-08-01T10:00:00+07:00',
        zone: 'WIB',
        years: [
          {
            year: 2022,
            source: 'SKB 3 Menteri 2022',
            holidays: [{ date: '2022-08-17', name: 'Hari Kemerdekaan', kind: 'national' }],
          },
        ],
      },
    }),
);

/**
 * The Indonesian business calendar working-day deadlines are counted on (docs/calendar.md), and the
 * server's clock, so a client counts down to a deadline exactly as the server would.
 */
@ApiTags('operations')
@Allow('public')
@Controller('v1/calendar')
export class CalendarController {
  constructor(@Inject(SANKSI_RUNTIME) private readonly runtime: SanksiRuntime) {}

  @Get()
  @ApiOperation({
    operationId: 'getBusinessCalendar',
    summary: 'The national holidays and cuti bersama of every covered year, and the server clock (WIB)',
  })
  @ApiAnswers({ description: 'The business calendar', schema: CalendarRef, problems: [] })
  calendar() {
    return {
      now: toZone(this.runtime.clock.now().toISOString(), 'WIB'),
      zone: 'WIB' as const,
      years: HOLIDAY_YEARS,
    };
  }
}
