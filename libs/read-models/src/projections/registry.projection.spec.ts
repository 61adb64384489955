import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import { type RegistryRow, projectRegistryEntry } from './registry.projection';

const fold = (events: ReadModelEvent[]) =>
  events.reduce<RegistryRow | undefined>((r, e) => projectRegistryEntry(r, e), undefined);

describe('registry projection', () => {
  it('given an unregistered case, when folded, then it is not on the register', () => {
    const c = new GlobalLog().case('x');
    expect(
      fold(
        [c.identified('2022-07-01T00:00:00Z'), c.submitted('2022-07-02T00:00:00Z', 'oss')].map(
          toReadModelEvent,
        ),
      ),
    ).toBeUndefined();
  });

  it('given a registration, a suspension, then a revocation, when folded, then the certificate stays listed with its status', () => {
    const c = new GlobalLog().case('x', { name: 'X Corp', domains: ['x.co.id'], origin: 'domestic' });
    const events = [
      c.identified('2022-07-01T00:00:00Z'),
      c.confirmed('2022-07-05T03:00:00Z', '000777.01/DJAI.PSE/07/2022', false),
    ].map(toReadModelEvent);
    const active = fold(events);
    expect(active).toEqual({
      pseId: 'x',
      registrationNumber: '000777.01/DJAI.PSE/07/2022',
      name: 'X Corp',
      company: null,
      sector: null,
      origin: 'domestic',
      domains: ['x.co.id'],
      status: 'active',
      registeredAt: '2022-07-05T03:00:00.000Z',
      updatedAt: '2022-07-05T03:00:00.000Z',
    });
    const suspended = projectRegistryEntry(
      active,
      toReadModelEvent(c.suspended('2022-09-01T00:00:00Z', 'TAKEL', '2022-09-08T00:00:00Z')),
    );
    expect(suspended).toMatchObject({ status: 'suspended', registeredAt: '2022-07-05T03:00:00.000Z' });
    const revoked = projectRegistryEntry(suspended, toReadModelEvent(c.revoked('2022-09-09T00:00:00Z')));
    expect(revoked).toMatchObject({ status: 'revoked', updatedAt: '2022-09-09T00:00:00.000Z' });
  });
});
