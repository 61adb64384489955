// One group of the domain's specs for the mutation run; see load-specs.ts for why they are grouped.
import { isHeavy, loadSpecs } from './load-specs';

loadSpecs(
  ['pse-case', 'policies', 'history', 'diagram', 'traffic'],
  {
    'diagram/statechart-diagram.spec.ts': () => require('../src/diagram/statechart-diagram.spec'),
    'history/hash.spec.ts': () => require('../src/history/hash.spec'),
    'history/history.spec.ts': () => require('../src/history/history.spec'),
    'history/what-if-population.spec.ts': () => require('../src/history/what-if-population.spec'),
    'policies/policies.spec.ts': () => require('../src/policies/policies.spec'),
    'policies/policy-terms.spec.ts': () => require('../src/policies/policy-terms.spec'),
    'pse-case/pse-case.allowed.spec.ts': () => require('../src/pse-case/pse-case.allowed.spec'),
    'pse-case/pse-case.command-rules.spec.ts': () => require('../src/pse-case/pse-case.command-rules.spec'),
    'pse-case/pse-case.decide-on-history.spec.ts': () =>
      require('../src/pse-case/pse-case.decide-on-history.spec'),
    'pse-case/pse-case.decider.spec.ts': () => require('../src/pse-case/pse-case.decider.spec'),
    'pse-case/pse-case.envelope.spec.ts': () => require('../src/pse-case/pse-case.envelope.spec'),
    'pse-case/pse-case.events.spec.ts': () => require('../src/pse-case/pse-case.events.spec'),
    'pse-case/pse-case.hostnames.spec.ts': () => require('../src/pse-case/pse-case.hostnames.spec'),
    'pse-case/pse-case.machine.guards.spec.ts': () => require('../src/pse-case/pse-case.machine.guards.spec'),
    'pse-case/pse-case.machine.transitions.spec.ts': () =>
      require('../src/pse-case/pse-case.machine.transitions.spec'),
    'pse-case/pse-case.retraction.spec.ts': () => require('../src/pse-case/pse-case.retraction.spec'),
    'pse-case/pse-case.rules.spec.ts': () => require('../src/pse-case/pse-case.rules.spec'),
    'pse-case/pse-case.scenario-2022.spec.ts': () => require('../src/pse-case/pse-case.scenario-2022.spec'),
    'pse-case/pse-case.state.spec.ts': () => require('../src/pse-case/pse-case.state.spec'),
    'pse-case/rules/lifecycle-rules.spec.ts': () => require('../src/pse-case/rules/lifecycle-rules.spec'),
    'pse-case/rules/revocation-policy.spec.ts': () => require('../src/pse-case/rules/revocation-policy.spec'),
    'pse-case/rules/rule-1-registration-deadline.spec.ts': () =>
      require('../src/pse-case/rules/rule-1-registration-deadline.spec'),
    'pse-case/rules/rule-2-escalation-order.spec.ts': () =>
      require('../src/pse-case/rules/rule-2-escalation-order.spec'),
    'pse-case/rules/rule-3-registration-restores.spec.ts': () =>
      require('../src/pse-case/rules/rule-3-registration-restores.spec'),
    'pse-case/rules/rule-4-temporary-restoration.spec.ts': () =>
      require('../src/pse-case/rules/rule-4-temporary-restoration.spec'),
    'pse-case/rules/rule-5-fines.spec.ts': () => require('../src/pse-case/rules/rule-5-fines.spec'),
    'pse-case/rules/rule-6-deadlines.spec.ts': () => require('../src/pse-case/rules/rule-6-deadlines.spec'),
    'pse-case/rules/rule-7-metadata.spec.ts': () => require('../src/pse-case/rules/rule-7-metadata.spec'),
    // Here rather than in a group of its own: it imports the decider, so a group of its own would be one
    // more evaluation of the whole domain for every mutant of the decider, the machine and the policies.
    'traffic/traffic-observation.events.spec.ts': () =>
      require('../src/traffic/traffic-observation.events.spec'),
  },
  (spec) => !isHeavy(spec),
);
