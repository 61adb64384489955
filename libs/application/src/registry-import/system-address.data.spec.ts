import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { normaliseSystemAddress, type AddressRefusalReason } from '@sanksi/domain';
import { parseCsvWithHeader } from './csv-parser';

// The real registry as committed for the CLI (apps/cli/assets/pse-registry: the same bytes as
// /work/shared/data/pse-registry, gzipped).
const ASSETS = join(__dirname, '../../../../apps/cli/assets/pse-registry');
const websites = (file: string): string[] =>
  parseCsvWithHeader(gunzipSync(readFileSync(join(ASSETS, `${file}.gz`))).toString('utf8'), file, [
    'website',
  ]).map((r) => r.values.website);

interface NormaliserReport {
  fields: number;
  fieldsWithNothingUsable: number;
  hostnames: number;
  appIds: number;
  ipAddresses: number;
  unnormalisedByReason: Partial<Record<AddressRefusalReason, number>>;
}

function report(fields: string[]): NormaliserReport {
  const out: NormaliserReport = {
    fields: 0,
    fieldsWithNothingUsable: 0,
    hostnames: 0,
    appIds: 0,
    ipAddresses: 0,
    unnormalisedByReason: {},
  };
  for (const field of fields) {
    const address = normaliseSystemAddress(field);
    out.fields += 1;
    out.hostnames += address.hostnames.length;
    out.appIds += address.appIds.length;
    out.ipAddresses += address.ipAddresses.length;
    if (address.hostnames.length + address.appIds.length + address.ipAddresses.length === 0) {
      out.fieldsWithNothingUsable += 1;
    }
    for (const u of address.unnormalised) {
      out.unnormalisedByReason[u.reason] = (out.unnormalisedByReason[u.reason] ?? 0) + 1;
    }
  }
  return out;
}

describe('normaliseSystemAddress over every website field of the real 2022 registry', () => {
  const snapshot = websites('snapshot-latest.csv');
  const changes = websites('changes.csv');

  it('reports what it could not normalise in the snapshot, by reason', () => {
    // The figures as of this normaliser (README, "Registry import"): a change here is a change of rule.
    expect(report(snapshot)).toEqual({
      fields: 11_946,
      fieldsWithNothingUsable: 1_746,
      hostnames: expect.any(Number),
      appIds: expect.any(Number),
      ipAddresses: 12,
      unnormalisedByReason: {
        placeholder: 1_737,
        text: 79,
        'not-a-domain': 12,
        'non-public-ip': 2,
        'app-store-without-id': 2,
        bogus: 1,
        'email-address': 1,
      },
    });
  });

  it('reports the same shape over the crawl history, and every field is sorted into something', () => {
    const history = report(changes);
    expect(history.fields).toBe(12_309);
    expect(Object.keys(history.unnormalisedByReason).sort()).toEqual(
      expect.arrayContaining(['placeholder', 'text', 'not-a-domain', 'bogus']),
    );
    for (const field of [...snapshot, ...changes]) {
      const a = normaliseSystemAddress(field);
      const parts = a.hostnames.length + a.appIds.length + a.ipAddresses.length + a.unnormalised.length;
      if (field.trim() !== '') expect(parts).toBeGreaterThan(0);
    }
  });

  it.each([
    // Real rows, as typed by their operators.
    ['www. foodnesia. Id', { hostnames: ['foodnesia.id'] }],
    ['https;//oreon.id', { hostnames: ['oreon.id'] }],
    ['https://mb.bankmestika.co.id', { hostnames: ['mb.bankmestika.co.id'] }],
    ['13.227.254.72', { hostnames: [], ipAddresses: ['13.227.254.72'] }],
    ['apps.apple.com/au/app/whatsapp-messenger/id310633997', { appIds: ['id310633997'] }],
    [
      'play.google.com/store/apps/details?id=com.mergegames.myth；https://apps.apple.com/us/app/merge-fables/id1564248355',
      { hostnames: [], appIds: ['com.mergegames.myth', 'id1564248355'] },
    ],
    [
      'satuaja.co.id , https://play.google.com/store/apps/details?id=com.satuaja.online&hl=in',
      { hostnames: ['satuaja.co.id'], appIds: ['com.satuaja.online'] },
    ],
    [
      'http://172.19.151.1 (Main Site); http://172.26.151.1 (DR Site); Private Network',
      { hostnames: [], ipAddresses: [] },
    ],
    ['ABCD.com', { hostnames: [], unnormalised: [{ value: 'ABCD.com', reason: 'bogus' }] }],
    ['-', { hostnames: [], unnormalised: [{ value: '-', reason: 'placeholder' }] }],
  ])('given the real field %p, when normalised, then %p', (field, expected) => {
    expect(snapshot).toContain(field);
    expect(normaliseSystemAddress(field)).toMatchObject(expected);
  });
});
