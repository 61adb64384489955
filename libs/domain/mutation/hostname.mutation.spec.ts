// One group of the domain's specs for the mutation run; see load-specs.ts for why they are grouped.
import { isHeavy, loadSpecs } from './load-specs';

loadSpecs(
  ['hostname'],
  {
    'hostname/hostname.spec.ts': () => require('../src/hostname/hostname.spec'),
    'hostname/system-address.spec.ts': () => require('../src/hostname/system-address.spec'),
  },
  (spec) => !isHeavy(spec),
);
