import fc from 'fast-check';
import * as testing from '@sanksi/testing';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

const DAY = 86_400;

/** The median as the figures define it: the middle value, or the mean of the two middle ones. */
function plainMedianDays(seconds: readonly number[]): number | null {
  const sorted = [...seconds].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor((sorted.length - 1) / 2);
  const pair = sorted.length % 2 === 1 ? [sorted[mid]] : [sorted[mid], sorted[mid + 1]];
  return pair.reduce((a, b) => a + (b as number), 0) / pair.length / DAY;
}

describe.each(readModelBackends(testing).all)('warning-to-registration figures on $name', (backend) => {
  let db: OpenedBackend;
  beforeEach(async () => {
    db = await backend.open();
    await db.store.migrate();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('given registered cases spread over days, then the median found from the kept days is the plain median', async () => {
    // Seconds clustered on a few days (ties, whole-day edges) and spread over many, with cases still pending.
    const seconds = fc.oneof(
      fc.integer({ min: 0, max: 400 * DAY }),
      fc.constantFrom(0, DAY - 1, DAY, 2 * DAY, 30 * DAY + 5),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(seconds, { maxLength: 40 }),
        fc.integer({ min: 0, max: 5 }),
        async (registered, pending) => {
          const rows = [
            ...registered.map((s, i) => `('r${i}', '2022-07-01T00:00:00.000Z', ${s}, ${s / DAY})`),
            ...Array.from({ length: pending }, (_, i) => `('p${i}', '2022-07-01T00:00:00.000Z', NULL, NULL)`),
          ];
          // The rows and the kept figures as the projector (and migrations 14 and 16) leave them.
          await db.execute(
            `DELETE FROM warning_to_registration; DELETE FROM warning_to_registration_totals;
             DELETE FROM warning_to_registration_days;
             ${rows.length ? `INSERT INTO warning_to_registration (pse_id, warned_at, seconds, days) VALUES ${rows.join(', ')};` : ''}
             INSERT INTO warning_to_registration_totals (name, cases, registered, seconds)
               SELECT 'all', count(*), count(seconds), coalesce(sum(seconds), 0) FROM warning_to_registration
               HAVING count(*) > 0;
             INSERT INTO warning_to_registration_days (days, cases)
               SELECT seconds / 86400, count(*) FROM warning_to_registration WHERE seconds IS NOT NULL
               GROUP BY seconds / 86400;`,
          );
          const figures = await db.store.getWarningToRegistration({ limit: 1 });
          expect(figures.registered).toBe(registered.length);
          expect(figures.pending).toBe(pending);
          const median = plainMedianDays(registered);
          if (median === null) expect(figures.medianDays).toBeNull();
          else expect(figures.medianDays).toBeCloseTo(median, 9);
        },
      ),
      { numRuns: 30, seed: 20261204 },
    );
  });
});
