import fc from 'fast-check';
import { type ReadModelEvent, toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import {
  type BlocklistChange,
  type CaseBlocklistEntry,
  diffBlocklist,
  normaliseDomains,
  normaliseIpAddresses,
  projectBlocklistEntry,
} from './blocklist.projection';

function fold(events: ReadModelEvent[]): { entry: CaseBlocklistEntry | undefined; feed: BlocklistChange[] } {
  let entry: CaseBlocklistEntry | undefined;
  const feed: BlocklistChange[] = [];
  for (const e of events) {
    const next = projectBlocklistEntry(entry, e);
    feed.push(...diffBlocklist(entry, next, e));
    entry = next;
  }
  return { entry, feed };
}

describe('blocklist projection', () => {
  it('given PayPal blocked, temporarily restored, re-blocked, then registered, when folded, then the feed follows onBlocklist', () => {
    const c = new GlobalLog().case('paypal', { domains: ['PayPal.com', 'www.paypal.com.'] });
    const events = [
      c.identified('2022-07-21T09:00:00+07:00'),
      c.blocked('2022-07-30T10:00:00+07:00', '123/2022'),
      c.temporarilyRestored('2022-07-31T08:00:00+07:00', '2022-08-05T23:59:00+07:00'),
      c.reBlocked('2022-08-06T00:00:00+07:00'),
      c.confirmed('2022-08-10T12:00:00+07:00', '000123.01/DJAI.PSE/08/2022', true),
    ].map(toReadModelEvent);
    const { entry, feed } = fold(events);
    expect(entry).toBeUndefined();
    expect(feed.map((f) => [f.position, f.action, f.domain])).toEqual([
      [2, 'add', 'paypal.com'],
      [2, 'add', 'www.paypal.com'],
      [3, 'remove', 'paypal.com'],
      [3, 'remove', 'www.paypal.com'],
      [4, 'add', 'paypal.com'],
      [4, 'add', 'www.paypal.com'],
      [5, 'remove', 'paypal.com'],
      [5, 'remove', 'www.paypal.com'],
    ]);
    expect(feed[4]?.at).toBe('2022-08-05T17:00:00.000Z');
  });

  it('given a blocked case whose domains change, when folded, then only the difference enters the feed and old domains keep their since', () => {
    const c = new GlobalLog().case('x', { domains: ['a.example', 'b.example'] });
    const events = [
      c.identified('2022-07-21T09:00:00+07:00'),
      c.blocked('2022-07-30T10:00:00+07:00', '1'),
      c.profileUpdated('2022-08-01T10:00:00+07:00', ['b.example', 'c.example']),
    ].map(toReadModelEvent);
    const { entry, feed } = fold(events);
    expect(feed.slice(2).map((f) => [f.action, f.domain])).toEqual([
      ['remove', 'a.example'],
      ['add', 'c.example'],
    ]);
    expect(entry?.domains).toEqual([
      { domain: 'b.example', kind: 'domain', since: '2022-07-30T03:00:00.000Z', position: 2 },
      { domain: 'c.example', kind: 'domain', since: '2022-08-01T03:00:00.000Z', position: 3 },
    ]);
  });

  it('given a case with IP addresses and no domain, when blocked and then registered, then its IPs are listed as kind ip and leave the list again', () => {
    const c = new GlobalLog().case('bank-app', {
      domains: [],
      appIds: ['com.bank.mobile'],
      ipAddresses: ['13.227.254.72', '2606:4700:4700::1111'],
    });
    const events = [
      c.identified('2022-07-21T09:00:00+07:00'),
      c.blocked('2022-07-30T10:00:00+07:00', '123/2022'),
    ].map(toReadModelEvent);
    const blocked = fold(events);
    expect(blocked.entry).toEqual({
      pseId: 'bank-app',
      domains: [
        { domain: '13.227.254.72', kind: 'ip', since: '2022-07-30T03:00:00.000Z', position: 2 },
        { domain: '2606:4700:4700::1111', kind: 'ip', since: '2022-07-30T03:00:00.000Z', position: 2 },
      ],
    });
    expect(blocked.feed.map((f) => [f.position, f.action, f.kind, f.domain])).toEqual([
      [2, 'add', 'ip', '13.227.254.72'],
      [2, 'add', 'ip', '2606:4700:4700::1111'],
    ]);

    const registered = fold([
      ...events,
      toReadModelEvent(c.confirmed('2022-08-10T12:00:00+07:00', '000123.01/DJAI.PSE/08/2022', true)),
    ]);
    expect(registered.entry).toBeUndefined();
    expect(registered.feed.slice(2).map((f) => [f.position, f.action, f.kind, f.domain])).toEqual([
      [3, 'remove', 'ip', '13.227.254.72'],
      [3, 'remove', 'ip', '2606:4700:4700::1111'],
    ]);
  });

  it('given a blocked case with a domain and an IP whose IPs change, when folded, then only the IP difference enters the feed, kinds kept apart', () => {
    const c = new GlobalLog().case('shop', { domains: ['shop.example'], ipAddresses: ['13.227.254.72'] });
    const events = [
      c.identified('2022-07-21T09:00:00+07:00'),
      c.blocked('2022-07-30T10:00:00+07:00', '1'),
      c.addressesUpdated('2022-08-01T10:00:00+07:00', { ipAddresses: ['8.8.4.4'] }),
    ].map(toReadModelEvent);
    const { entry, feed } = fold(events);
    expect(feed.map((f) => [f.position, f.action, f.kind, f.domain])).toEqual([
      [2, 'add', 'domain', 'shop.example'],
      [2, 'add', 'ip', '13.227.254.72'],
      [3, 'remove', 'ip', '13.227.254.72'],
      [3, 'add', 'ip', '8.8.4.4'],
    ]);
    expect(entry?.domains).toEqual([
      { domain: 'shop.example', kind: 'domain', since: '2022-07-30T03:00:00.000Z', position: 2 },
      { domain: '8.8.4.4', kind: 'ip', since: '2022-08-01T03:00:00.000Z', position: 3 },
    ]);
  });

  it('given a blocked case with neither domain nor IP (app ids only), when folded, then it lists nothing and the feed stays empty', () => {
    const c = new GlobalLog().case('app-only', { domains: [], appIds: ['id1489226483'] });
    const { entry, feed } = fold(
      [c.identified('2022-07-21T09:00:00+07:00'), c.blocked('2022-07-30T10:00:00+07:00', '7')].map(
        toReadModelEvent,
      ),
    );
    expect(entry).toEqual({ pseId: 'app-only', domains: [] });
    expect(feed).toEqual([]);
  });

  it('normalises IP addresses: trimmed, lower case, each once', () => {
    expect(normaliseIpAddresses([' 2606:4700:4700::AAAA ', '2606:4700:4700::aaaa', '', '1.2.3.4'])).toEqual([
      '2606:4700:4700::aaaa',
      '1.2.3.4',
    ]);
  });

  it('normalises domains: trimmed, lower case, no trailing dot, each once', () => {
    expect(normaliseDomains([' A.com. ', 'a.com', '', 'b.com'])).toEqual(['a.com', 'b.com']);
  });

  it('for any sequence of recorded onBlocklist flags, the entry exists exactly when the last flag is set and the feed replays to it', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (flags) => {
        const c = new GlobalLog().case('p', { domains: ['p.example', 'www.p.example'] });
        const events = flags.map((on, i) =>
          toReadModelEvent(
            c.event('Step', new Date(Date.UTC(2022, 6, 1 + i)).toISOString(), {}, { onBlocklist: on }),
          ),
        );
        const { entry, feed } = fold(events);
        const replayed = new Set<string>();
        for (const f of feed) {
          if (f.action === 'add') replayed.add(f.domain);
          else replayed.delete(f.domain);
        }
        const last = flags[flags.length - 1];
        expect(entry !== undefined).toBe(last);
        expect([...replayed].sort()).toEqual(last ? ['p.example', 'www.p.example'] : []);
      }),
    );
  });
});
