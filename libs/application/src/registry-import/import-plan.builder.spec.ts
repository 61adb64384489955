import { buildImportPlan } from './import-plan.builder';
import type { ImportedSystem, ImportStep } from './import-plan.types';
import { CsvMissingColumns } from './registry-import.errors';

const HEADER =
  'system_id,registration_id,origin,status,name,website,sector,company,registered_on,registration_number';
const snapshot = [
  HEADER,
  '1,11,LOKAL,TERDAFTAR,Toko Baik,www.TokoBaik.co.id,Sektor Perdagangan,PT TOKO BAIK,2022-07-01,000001.01/DJAI.PSE/07/2022',
  '2,12,ASING,SUSPENDED_BY_TAKEL,"Foo, Inc. ""Store""","https://a-foo.com/x, b-foo.com",Sektor Perdagangan,FOO INC,2022-07-10,000002.01/DJAI.PSE/07/2022',
  '3,13,LOKAL,TERDAFTAR,Tanpa Situs,-,Sektor Keuangan,PT TANPA,2022-07-11,000003.01/DJAI.PSE/07/2022',
  '4,14,ASING,SUSPENDED_BY_TAKEL,INI APA YA,110.110.110.135,Sektor Kesehatan,HYPNO PTE LTD,2022-05-23,000004.01/DJAI.PSE/05/2022',
  '5,15,ASING,SUSPENDED_BY_TAKEL,ABCD,abcd.com,Sektor Keuangan,ABCD LTD,2022-05-23,000005.01/DJAI.PSE/05/2022',
  '6,16,LOKAL,TERDAFTAR,Tanggal Salah,salah.id,Sektor Perdagangan,-,2022-02-30,000006.01/DJAI.PSE/02/2022',
  '7,17,LOKAL,TERDAFTAR,Nomor Salah,nomor.id,Sektor Perdagangan,PT NOMOR,2022-10-01,00204.01/DJAI.PSE/10/2022',
  '8,18,LOKAL,TERDAFTAR,Hanya Aplikasi,https://play.google.com/store/apps/details?id=id.app,,PT APP,2022-07-12,000008.01/DJAI.PSE/07/2022',
  '9,19,LOKAL,DICABUT,Dicabut,dicabut.id,Sektor Keuangan,PT CABUT,2022-06-01,000009.01/DJAI.PSE/06/2022',
  '10,20,ASING,TERDAFTAR,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.02/DJAI.PSE/07/2022',
  '1,21,LOKAL,TERDAFTAR,Toko Baik Lagi,tokobaik.id,Sektor Perdagangan,PT TOKO BAIK,2022-07-01,000001.02/DJAI.PSE/07/2022',
  '11,22,MARS,TERDAFTAR,Asal Aneh,aneh.id,Sektor Perdagangan,PT ANEH,2022-07-01,000011.01/DJAI.PSE/07/2022',
  '',
].join('\n');

const CHANGES_HEADER = `observed_at,change,${HEADER}`;
const changes = [
  CHANGES_HEADER,
  // Crawls use different offsets, and system 10's rows are deliberately out of time order.
  '2022-07-17T17:55:28+08:00,appeared,1,11,LOKAL,TERDAFTAR,Toko Baik,www.tokobaik.co.id,Sektor Perdagangan,PT TOKO BAIK,2022-07-01,000001.01/DJAI.PSE/07/2022',
  '2022-07-17T17:55:28+08:00,appeared,2,12,ASING,TERDAFTAR,"Foo, Inc. ""Store""",a-foo.com,Sektor Perdagangan,FOO INC,2022-07-10,000002.01/DJAI.PSE/07/2022',
  '2022-07-31T06:49:10+08:00,status_changed,2,12,ASING,SUSPENDED_BY_TAKEL,"Foo, Inc. ""Store""",a-foo.com,Sektor Perdagangan,FOO INC,2022-07-10,000002.01/DJAI.PSE/07/2022',
  '2022-08-05T01:00:00+00:00,status_changed,2,12,ASING,SUSPENDED_BY_TAKEL,"Foo, Inc. ""Store""","https://a-foo.com/x, b-foo.com",Sektor Perdagangan,FOO INC,2022-07-10,000002.01/DJAI.PSE/07/2022',
  '2022-07-17T17:55:28+08:00,appeared,8,18,LOKAL,TERDAFTAR,Hanya Aplikasi,x,,PT APP,2022-07-12,000008.01/DJAI.PSE/07/2022',
  '2022-07-17T17:55:28+08:00,appeared,9,19,LOKAL,DICABUT,Dicabut,dicabut.id,Sektor Keuangan,PT CABUT,2022-06-01,000009.01/DJAI.PSE/06/2022',
  '2022-08-10T10:00:00+00:00,status_changed,10,20,ASING,SUSPENDED_BY_PAI,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
  '2022-07-18T09:00:00+07:00,appeared,10,20,ASING,TERDAFTAR,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
  '2022-08-20T10:00:00+00:00,disappeared,10,20,ASING,SUSPENDED_BY_PAI,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
  '2022-08-21T10:00:00+00:00,appeared,10,20,ASING,SUSPENDED_BY_PAI,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
  '2022-09-01T10:00:00+00:00,status_changed,10,20,ASING,TERDAFTAR,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.02/DJAI.PSE/07/2022',
  '2022-07-17T17:55:28+08:00,appeared,99,99,LOKAL,TERDAFTAR,Hilang,hilang.id,Sektor Perdagangan,PT HILANG,2022-07-16,000099.01/DJAI.PSE/07/2022',
  '2022-07-18T06:42:08+08:00,disappeared,99,99,LOKAL,TERDAFTAR,Hilang,hilang.id,Sektor Perdagangan,PT HILANG,2022-07-16,000099.01/DJAI.PSE/07/2022',
  'yesterday,appeared,1,11,LOKAL,TERDAFTAR,Toko Baik,tokobaik.co.id,Sektor Perdagangan,PT TOKO BAIK,2022-07-01,000001.01/DJAI.PSE/07/2022',
  '',
].join('\n');

const plan = buildImportPlan(snapshot, changes);
const system = (id: number): ImportedSystem => {
  const found = plan.systems.find((s) => s.systemId === id);
  if (!found) throw new Error(`system ${id} not imported`);
  return found;
};
const kinds = (steps: ImportStep[]): string[] =>
  steps.map((s) =>
    s.kind === 'suspended' ? `suspended:${s.by}` : s.kind === 'note' ? `note:${s.note}` : s.kind,
  );

describe('buildImportPlan on a small sample', () => {
  it('given valid rows, when planned, then they become systems ordered by system_id with reg- ids', () => {
    expect(plan.systems.map((s) => s.pseId)).toEqual([
      'reg-1',
      'reg-2',
      'reg-3',
      'reg-4',
      'reg-8',
      'reg-9',
      'reg-10',
    ]);
  });

  it('given a registered domestic system, when planned, then identification and registration are mapped', () => {
    expect(system(1)).toEqual({
      pseId: 'reg-1',
      systemId: 1,
      identification: {
        name: 'Toko Baik',
        origin: 'domestic',
        domains: ['tokobaik.co.id'],
        appIds: [],
        ipAddresses: [],
        unnormalisedAddresses: [],
        company: 'PT TOKO BAIK',
        sector: 'Sektor Perdagangan',
      },
      currentStatus: 'TERDAFTAR',
      previousRegistrationNumbers: [],
      steps: [
        {
          kind: 'registrationConfirmed',
          registrationNumber: '000001.01/DJAI.PSE/07/2022',
          registeredOn: '2022-07-01',
          occurredAt: '2022-07-01T00:00:00+07:00',
          recordedAt: '2022-07-17T17:55:28+08:00',
          source: { file: 'changes.csv', line: 2 },
        },
      ],
    });
  });

  it('given a foreign system suspended by TAKEL, when planned, then quoted fields survive and the later detail change is ignored', () => {
    const foo = system(2);
    expect(foo.identification.name).toBe('Foo, Inc. "Store"');
    expect(foo.identification.origin).toBe('foreign');
    expect(foo.identification.domains).toEqual(['a-foo.com', 'b-foo.com']);
    expect(kinds(foo.steps)).toEqual(['registrationConfirmed', 'suspended:TAKEL']);
    expect(foo.steps[1]).toMatchObject({
      occurredAt: '2022-07-31T06:49:10+08:00',
      recordedAt: '2022-07-31T06:49:10+08:00',
    });
    expect(plan.stats.detailOnlyChangesIgnored).toBe(1);
  });

  it('given a system first seen already revoked, when planned, then it is registered then revoked', () => {
    expect(kinds(system(9).steps)).toEqual(['registrationConfirmed', 'revoked']);
  });

  it('given suspension by PAI, disappearance, reappearance, lifting and a re-issued certificate, when planned, then the steps follow time not file order', () => {
    const pulih = system(10);
    expect(kinds(pulih.steps)).toEqual([
      'registrationConfirmed',
      'suspended:PAI',
      'note:disappeared',
      'note:reappeared',
      'registrationNumberChanged',
      'registrationRestored',
    ]);
    expect(pulih.steps[0]).toMatchObject({
      registrationNumber: '000010.01/DJAI.PSE/07/2022',
      recordedAt: '2022-07-18T09:00:00+07:00',
    });
    expect(pulih.steps[4]).toMatchObject({
      registrationNumber: '000010.02/DJAI.PSE/07/2022',
      previousRegistrationNumber: '000010.01/DJAI.PSE/07/2022',
    });
    expect(pulih.previousRegistrationNumbers).toEqual(['000010.01/DJAI.PSE/07/2022']);
    const times = pulih.steps.map((s) => Date.parse(s.occurredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('given a system with only a Play Store listing, when planned, then it is imported without domains and with its app id', () => {
    const app = system(8);
    expect(app.identification).toMatchObject({
      domains: [],
      appIds: ['id.app'],
      ipAddresses: [],
      unnormalisedAddresses: [],
      sector: null,
    });
  });

  it('given a system whose website is "-", when planned, then it is imported with no blockable address', () => {
    expect(system(3).identification).toMatchObject({
      name: 'Tanpa Situs',
      domains: [],
      appIds: [],
      ipAddresses: [],
      unnormalisedAddresses: [{ value: '-', reason: 'placeholder' }],
    });
  });

  it('given a system whose website is an IP address, when planned, then it is imported with that IP and no domain', () => {
    expect(system(4).identification).toMatchObject({ domains: [], ipAddresses: ['110.110.110.135'] });
    expect(plan.stats).toMatchObject({
      systemsWithoutDomain: 3,
      systemsWithoutBlockableAddress: 2,
      appIds: 1,
      ipAddresses: 1,
      unnormalisedAddresses: { placeholder: 1 },
    });
  });

  it('given bad rows, when planned, then each is rejected once with its reason, in file order', () => {
    expect(plan.rejected.map((r) => [r.file, r.line, r.systemId, r.reason])).toEqual([
      ['snapshot-latest.csv', 6, '5', 'bogus'],
      ['snapshot-latest.csv', 7, '6', 'bad-date'],
      ['snapshot-latest.csv', 8, '7', 'bad-registration-number'],
      ['snapshot-latest.csv', 12, '1', 'duplicate-system'],
      ['snapshot-latest.csv', 13, '11', 'malformed-row'],
      ['changes.csv', 14, '99', 'disappeared'],
      ['changes.csv', 15, '1', 'bad-date'],
    ]);
    expect(plan.rejected.every((r) => r.detail.length > 0)).toBe(true);
  });

  it('given the plan, then the stats add up', () => {
    expect(plan.stats).toMatchObject({
      snapshotRows: 12,
      changesRows: 14,
      systemsImported: 7,
      rowsRejected: 7,
      importedByStatus: { TERDAFTAR: 4, SUSPENDED_BY_TAKEL: 2, DICABUT: 1 },
      stepsByKind: {
        registrationConfirmed: 7,
        suspended: 2,
        revoked: 1,
        registrationRestored: 1,
        registrationNumberChanged: 1,
        note: 2,
      },
      // System 4 is suspended in the snapshot but has no crawl row to say when (the real data has none such).
      statusMismatches: 1,
    });
    expect(plan.stats.examplesByReason['bogus']).toEqual(['website "abcd.com" of "ABCD"']);
  });

  it('given the same input twice, when planned, then the plans are identical', () => {
    expect(buildImportPlan(snapshot, changes)).toEqual(plan);
  });

  it('given a snapshot system without any crawl row, when planned, then recordedAt falls back to the registration date', () => {
    const alone = buildImportPlan(snapshot, CHANGES_HEADER).systems.find((s) => s.systemId === 1);
    expect(alone?.steps[0]).toMatchObject({
      recordedAt: '2022-07-01T00:00:00+07:00',
      source: { file: 'snapshot-latest.csv', line: 2 },
    });
  });

  it('given files swapped, when planned, then it refuses naming the missing columns', () => {
    expect(() => buildImportPlan(CHANGES_HEADER.replace('observed_at,change,', 'x,'), HEADER)).toThrow(
      CsvMissingColumns,
    );
  });
});

describe('a name made of control characters only (found by fuzzing the import)', () => {
  it('given such a row, then it is rejected as malformed with the reason, not imported with an empty name', () => {
    const plan = buildImportPlan(
      `${HEADER}\n1,11,LOKAL,TERDAFTAR,"\u0000\t",toko.co.id,,PT TOKO,2022-07-01,000001.01/DJAI.PSE/07/2022\n`,
      `${CHANGES_HEADER}\n`,
    );
    expect(plan.systems).toEqual([]);
    expect(plan.rejected).toEqual([
      {
        file: 'snapshot-latest.csv',
        line: 2,
        systemId: '1',
        reason: 'malformed-row',
        detail: 'name "\\u0000" is empty once control characters are removed',
      },
    ]);
  });
});
