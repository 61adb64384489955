// One group of the domain's specs for the mutation run; see load-specs.ts for why they are grouped.
import { isHeavy, loadSpecs } from './load-specs';

loadSpecs(
  ['calendar'],
  {
    'calendar/business-calendar.spec.ts': () => require('../src/calendar/business-calendar.spec'),
    'calendar/calendar-horizon.spec.ts': () => require('../src/calendar/calendar-horizon.spec'),
    'calendar/holidays.table.spec.ts': () => require('../src/calendar/holidays.table.spec'),
  },
  (spec) => !isHeavy(spec),
);
