import * as testing from '@sanksi/testing';
import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import { type OpenedBackend, readModelBackends } from '../testing/read-model-backends.harness';
import { READ_MODEL_MIGRATIONS } from './read-model.schema';

// Real databases on a shared machine: allow for slow I/O (no assertion depends on time).
jest.setTimeout(60_000);

// Issue 14 A (docs/decisions/0007): cases with public IP addresses and app-store ids and no domain.
// A blocked case's IPs are on the blocklist and its change feed beside domains (kind 'ip'); the case
// and register searches find cases by app id and IP.
/** What happens after the population's first events, in the tests that need a last event more. */
type Tail = 'none' | 'bank registers' | 'wallet changes its addresses';

function population(tail: Tail = 'none'): ReadModelEvent[] {
  const log = new GlobalLog();
  const bank = log.case('bank-app', {
    name: 'Bank Mobile',
    domains: [],
    appIds: ['com.bank.mobile', 'id1489226483'],
    ipAddresses: ['13.227.254.72', '2606:4700:4700::1111'],
  });
  const shop = log.case('shop', { name: 'Shop', domains: ['shop.example'], ipAddresses: ['8.8.4.4'] });
  const registered = log.case('wallet', {
    name: 'Wallet',
    domains: [],
    appIds: ['com.wallet.app'],
    ipAddresses: ['1.1.1.1'],
  });
  const plain = log.case('plain', { name: 'Plain', domains: ['plain.example'] });
  bank.identified('2022-07-21T09:00:00+07:00');
  shop.identified('2022-07-21T09:00:00+07:00');
  registered.identified('2022-07-21T09:00:00+07:00');
  plain.identified('2022-07-21T09:00:00+07:00');
  bank.blocked('2022-07-30T10:00:00+07:00', '101/2022');
  shop.blocked('2022-07-30T10:00:00+07:00', '102/2022');
  registered.confirmed('2022-08-01T10:00:00+07:00', '000123.01/DJAI.PSE/08/2022', false);
  plain.blocked('2022-07-30T10:00:00+07:00', '103/2022');
  if (tail === 'bank registers')
    bank.confirmed('2022-08-10T12:00:00+07:00', '000124.01/DJAI.PSE/08/2022', true);
  if (tail === 'wallet changes its addresses') {
    registered.addressesUpdated('2022-08-11T12:00:00+07:00', {
      appIds: ['com.wallet.new'],
      ipAddresses: undefined,
    });
  }
  return log.all().map(toReadModelEvent);
}

describe.each(readModelBackends(testing).all)(
  'blocklist by IP address and search by app id and IP on $name',
  (backend) => {
    let db: OpenedBackend;
    let events: ReadModelEvent[];
    beforeEach(async () => {
      db = await backend.open();
      events = population();
      await applyAll(db, events);
    });
    afterEach(async () => {
      await db.cleanup();
    });

    it('given blocked cases with IPs, then the blocklist lists their IPs as kind ip beside the domains, domains first', async () => {
      const list = await db.store.getBlocklist();
      expect(list.entries.map((e) => [e.kind, e.domain, e.pseId])).toEqual([
        ['domain', 'plain.example', 'plain'],
        ['domain', 'shop.example', 'shop'],
        ['ip', '13.227.254.72', 'bank-app'],
        ['ip', '2606:4700:4700::1111', 'bank-app'],
        ['ip', '8.8.4.4', 'shop'],
      ]);
      expect(list.entries.find((e) => e.domain === '8.8.4.4')?.since).toBe('2022-07-30T03:00:00.000Z');
      // Analysts see the kind in the table itself.
      expect(await db.sql(`SELECT kind, count(*) AS n FROM blocklist GROUP BY kind ORDER BY kind`)).toEqual([
        { kind: 'domain', n: backend.name === 'postgres' ? '2' : 2 },
        { kind: 'ip', n: backend.name === 'postgres' ? '3' : 3 },
      ]);
    });

    it('given the feed, then IP lines carry kind ip, and replaying it page by page gives the list', async () => {
      const lines = await db.store.getBlocklistChanges(0, 1000);
      expect(lines.filter((l) => l.pseId === 'bank-app').map((l) => [l.action, l.kind, l.domain])).toEqual([
        ['add', 'ip', '13.227.254.72'],
        ['add', 'ip', '2606:4700:4700::1111'],
      ]);
      const replayed = new Set<string>();
      let after = 0;
      for (;;) {
        const page = await db.store.getBlocklistChanges(after, 1);
        if (page.length === 0) break;
        for (const l of page) {
          const key = `${l.kind} ${l.domain} ${l.pseId}`;
          if (l.action === 'add') replayed.add(key);
          else replayed.delete(key);
        }
        after = page[page.length - 1]?.position ?? after;
      }
      const list = await db.store.getBlocklist();
      expect([...replayed].sort()).toEqual(
        list.entries.map((e) => `${e.kind} ${e.domain} ${e.pseId}`).sort(),
      );
    });

    /** Projects the last event of a longer history of the same population. */
    async function continueWith(tail: Tail): Promise<number> {
      const longer = population(tail);
      const last = events[events.length - 1] as ReadModelEvent;
      const next = longer[longer.length - 1] as ReadModelEvent;
      await db.store.applyBatch([next], { expectedPosition: last.position, toPosition: next.position });
      return last.position;
    }

    it('given the IP-only case registers, then its IPs leave the list with remove lines of kind ip', async () => {
      const before = await continueWith('bank registers');
      expect((await db.store.getBlocklist()).entries.filter((e) => e.pseId === 'bank-app')).toEqual([]);
      const lines = await db.store.getBlocklistChanges(before, 10);
      expect(lines.map((l) => [l.action, l.kind, l.domain])).toEqual([
        ['remove', 'ip', '13.227.254.72'],
        ['remove', 'ip', '2606:4700:4700::1111'],
      ]);
    });

    it('given cases with app ids and IPs, then the case search finds them by either, in part and in any case', async () => {
      const ids = async (q: string) => (await db.store.listCases({ q })).items.map((c) => c.pseId);
      expect(await ids('com.bank')).toEqual(['bank-app']);
      expect(await ids('ID1489226483')).toEqual(['bank-app']);
      expect(await ids('13.227.254')).toEqual(['bank-app']);
      expect(await ids('2606:4700')).toEqual(['bank-app']);
      expect(await ids('8.8.4.4')).toEqual(['shop']);
      expect(await ids('1.1.1.1')).toEqual(['wallet']);
      // The other fields still match as before; a query matching both kinds finds each case once.
      expect(await ids('shop')).toEqual(['shop']);
      expect(await ids('.')).toEqual(['bank-app', 'plain', 'shop', 'wallet']);
      expect(await ids('no such address')).toEqual([]);
      // A LIKE wildcard in the query is a literal character.
      expect(await ids('com%bank')).toEqual([]);
      const bank = (await db.store.listCases({ q: 'com.bank' })).items[0];
      expect(bank).toMatchObject({
        appIds: ['com.bank.mobile', 'id1489226483'],
        ipAddresses: ['13.227.254.72', '2606:4700:4700::1111'],
      });
    });

    it('given a registered case with an app id and an IP, then the register search finds it by either (short queries too)', async () => {
      const ids = async (q: string) => (await db.store.getRegistry({ q })).items.map((r) => r.pseId);
      expect(await ids('com.wallet')).toEqual(['wallet']);
      expect(await ids('1.1.1.1')).toEqual(['wallet']);
      expect(await ids('1.1')).toEqual(['wallet']);
      expect(await ids('Wallet')).toEqual(['wallet']);
      // Unregistered cases are not on the register, whatever they name.
      expect(await ids('com.bank')).toEqual([]);
      expect(await ids('13.227')).toEqual([]);
    });

    it('given an app-id list changed by a profile update, then the side table holds exactly the new addresses', async () => {
      await continueWith('wallet changes its addresses');
      expect(
        await db.sql(
          `SELECT kind, address FROM case_addresses WHERE pse_id = 'wallet' ORDER BY kind, address`,
        ),
      ).toEqual([{ kind: 'app-id', address: 'com.wallet.new' }]);
      expect((await db.store.getRegistry({ q: 'com.wallet.app' })).items).toEqual([]);
      expect((await db.store.getRegistry({ q: '1.1.1.1' })).items).toEqual([]);
      expect((await db.store.getRegistry({ q: 'com.wallet.new' })).items.map((r) => r.pseId)).toEqual([
        'wallet',
      ]);
    });

    it('given a database migrated to 5 and 6 before 4 existed, then opening it applies 4 alone and old rows read as domains', async () => {
      await db.execute(
        `DROP TABLE case_addresses;
       ALTER TABLE blocklist DROP COLUMN kind;
       ALTER TABLE blocklist_changes DROP COLUMN kind;
       ALTER TABLE case_summary DROP COLUMN app_ids;
       ALTER TABLE case_summary DROP COLUMN ip_addresses;
       DELETE FROM blocklist WHERE pse_id <> 'plain';
       DELETE FROM blocklist_changes WHERE pse_id <> 'plain';
       DELETE FROM read_model_migrations WHERE version = 4`,
      );
      const reopened = db.reopen();
      expect((await reopened.getBlocklist()).entries.map((e) => [e.kind, e.domain])).toEqual([
        ['domain', 'plain.example'],
      ]);
      expect((await reopened.getBlocklistChanges(0)).map((l) => [l.kind, l.domain])).toEqual([
        ['domain', 'plain.example'],
      ]);
      const versions = await db.sql(`SELECT version FROM read_model_migrations ORDER BY applied_at, version`);
      // Every other version in order (those applied at set-up), then 4, applied alone on reopening.
      const others = READ_MODEL_MIGRATIONS.map((m) => m.version)
        .filter((v) => v !== 4)
        .sort((a, b) => a - b);
      expect(versions.map((v) => Number(v['version']))).toEqual([...others, 4]);
      // Cases projected before version 4 name their addresses again once rebuilt (docs/read-models.md).
      expect((await reopened.listCases({ q: 'com.bank' })).items).toEqual([]);
      await reopened.reset();
      await applyAll({ ...db, store: reopened }, events);
      expect((await reopened.listCases({ q: 'com.bank' })).items.map((c) => c.pseId)).toEqual(['bank-app']);
    });
  },
);

async function applyAll(
  db: Pick<OpenedBackend, 'store'>,
  events: ReadModelEvent[],
  batchSize = 3,
): Promise<void> {
  let position = 0;
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize);
    const last = batch[batch.length - 1] as ReadModelEvent;
    await db.store.applyBatch(batch, { expectedPosition: position, toPosition: last.position });
    position = last.position;
  }
}
