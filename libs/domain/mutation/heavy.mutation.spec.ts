// One group of the domain's specs for the mutation run; see load-specs.ts for why they are grouped.
// Only in a run with SANKSI_MUTATION_ALL_SPECS=1 (libs/domain/stryker.config.mjs).
import { isHeavy, loadSpecs } from './load-specs';

loadSpecs(
  ['calendar', 'diagram', 'history', 'hostname', 'policies', 'pse-case', 'traffic'],
  {
    'pse-case/pse-case.business-time.properties.spec.ts': () =>
      require('../src/pse-case/pse-case.business-time.properties.spec'),
    'pse-case/pse-case.decide-paths.spec.ts': () => require('../src/pse-case/pse-case.decide-paths.spec'),
    'pse-case/pse-case.machine.spec.ts': () => require('../src/pse-case/pse-case.machine.spec'),
    'pse-case/pse-case.properties.spec.ts': () => require('../src/pse-case/pse-case.properties.spec'),
    'pse-case/pse-case.regulation.properties.spec.ts': () =>
      require('../src/pse-case/pse-case.regulation.properties.spec'),
  },
  isHeavy,
);
