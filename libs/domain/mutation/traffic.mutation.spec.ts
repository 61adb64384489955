// One group of the domain's specs for the mutation run; see load-specs.ts for why they are grouped.
import { isHeavy, loadSpecs } from './load-specs';

loadSpecs(
  ['traffic'],
  {
    'traffic/traffic-observation.events.spec.ts': () =>
      require('../src/traffic/traffic-observation.events.spec'),
  },
  (spec) => !isHeavy(spec),
);
