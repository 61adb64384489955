import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import {
  type WarningToRegistrationRow,
  projectWarningToRegistration,
} from './warning-to-registration.projection';

const fold = (events: ReadModelEvent[]) =>
  events.reduce<WarningToRegistrationRow | undefined>(
    (r, e) => projectWarningToRegistration(r, e),
    undefined,
  );

describe('warning to registration', () => {
  it('given a warned case that submits then registers, when folded, then the duration runs from the first warning', () => {
    const c = new GlobalLog().case('x');
    const row = fold(
      [
        c.identified('2022-07-21T09:00:00+07:00'),
        c.warned('2022-07-25T09:00:00+07:00', 'W-1', '2022-08-01T23:59:00+07:00'),
        c.warned('2022-07-26T09:00:00+07:00', 'W-2', '2022-08-02T23:59:00+07:00'),
        c.submitted('2022-07-27T09:00:00+07:00', 'oss'),
        c.confirmed('2022-07-28T09:00:00+07:00', '000001.01/DJAI.PSE/07/2022', true),
        c.profileUpdated('2022-07-29T09:00:00+07:00', ['z.example']),
      ].map(toReadModelEvent),
    );
    expect(row).toEqual({
      pseId: 'x',
      warnedAt: '2022-07-25T02:00:00.000Z',
      letterNumber: 'W-1',
      submittedAt: '2022-07-27T02:00:00.000Z',
      registeredAt: '2022-07-28T02:00:00.000Z',
      seconds: 3 * 86400,
    });
  });

  it('given a case that registers without a warning, when folded, then it has no row', () => {
    const c = new GlobalLog().case('y');
    expect(
      fold(
        [c.identified('2022-07-01T00:00:00Z'), c.confirmed('2022-07-02T00:00:00Z', 'N', false)].map(
          toReadModelEvent,
        ),
      ),
    ).toBeUndefined();
  });

  it('given a warned case still unregistered, when folded, then the row stays open', () => {
    const c = new GlobalLog().case('z');
    const row = fold(
      [
        c.identified('2022-07-01T00:00:00Z'),
        c.warned('2022-07-25T00:00:00Z', 'W', '2022-08-01T00:00:00Z'),
      ].map(toReadModelEvent),
    );
    expect(row).toMatchObject({ registeredAt: null, seconds: null, submittedAt: null });
  });
});
