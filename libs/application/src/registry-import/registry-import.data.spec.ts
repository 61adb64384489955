import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildImportPlan } from './import-plan.builder';
import type { ImportedSystem, ImportPlan, RegistrationConfirmedStep } from './import-plan.types';

// The real registry as committed for the CLI (apps/cli/assets/pse-registry, README there).
const ASSETS = join(__dirname, '../../../../apps/cli/assets/pse-registry');
const read = (file: string): string => gunzipSync(readFileSync(join(ASSETS, file))).toString('utf8');

describe('buildImportPlan over the real registry (2022-07-17 → 2022-11-29)', () => {
  let snapshotText: string;
  let changesText: string;
  let plan: ImportPlan;

  beforeAll(() => {
    snapshotText = read('snapshot-latest.csv.gz');
    changesText = read('changes.csv.gz');
    plan = buildImportPlan(snapshotText, changesText);
  });

  const named = (name: string, company?: string): ImportedSystem => {
    const found = plan.systems.filter(
      (s) =>
        s.identification.name === name && (company === undefined || s.identification.company === company),
    );
    expect(found).toHaveLength(1);
    return found[0];
  };
  const registration = (s: ImportedSystem): RegistrationConfirmedStep => {
    const step = s.steps.find((x): x is RegistrationConfirmedStep => x.kind === 'registrationConfirmed');
    if (!step) throw new Error(`${s.pseId} has no registration`);
    return step;
  };

  it('reads all 11,946 snapshot systems and 12,309 changes, each imported or rejected', () => {
    expect(plan.stats.snapshotRows).toBe(11_946);
    expect(plan.stats.changesRows).toBe(12_309);
    const rejectedFromSnapshot = plan.rejected.filter((r) => r.file === 'snapshot-latest.csv').length;
    expect(plan.stats.systemsImported + rejectedFromSnapshot).toBe(11_946);
    expect(plan.stats.systemsImported).toBeGreaterThan(10_000);
    expect(new Set(plan.systems.map((s) => s.pseId)).size).toBe(plan.systems.length);
  });

  it('imports names with the tabs of the published registry as one line, as commands require', () => {
    expect(plan.systems.find((s) => s.pseId === 'reg-2190')?.identification.name).toBe(
      '- PT. NANOBIRU INTERNATIONAL INDONESIA',
    );
    const texts = plan.systems.flatMap((s) => [
      s.identification.name,
      s.identification.company ?? '',
      s.identification.sector ?? '',
    ]);
    expect(texts.filter((t) => /\p{Cc}/u.test(t))).toEqual([]);
  });

  it('has PayPal registered on 2022-08-03 as 006860.01/DJAI.PSE/08/2022, recorded by the crawl that day', () => {
    const paypal = named('PAYPAL');
    expect(paypal.identification).toMatchObject({ origin: 'foreign', domains: ['paypal.com'] });
    expect(registration(paypal)).toMatchObject({
      registrationNumber: '006860.01/DJAI.PSE/08/2022',
      registeredOn: '2022-08-03',
      occurredAt: '2022-08-03T00:00:00+07:00',
    });
    expect(registration(paypal).recordedAt.startsWith('2022-08-03')).toBe(true);
  });

  it("has Valve's Steam, Dota 2 and CS:GO registered on 2022-08-11", () => {
    const valve = plan.systems.filter((s) => s.identification.company === 'Valve Corporation');
    expect(valve.map((s) => s.identification.domains[0]).sort()).toEqual([
      'counter-strike.net',
      'dota2.com',
      'steampowered.com',
    ]);
    for (const s of valve) expect(registration(s).registeredOn).toBe('2022-08-11');
    expect(registration(named('STEAM', 'Valve Corporation')).registrationNumber).toBe(
      '007153.01/DJAI.PSE/08/2022',
    );
  });

  it('has systems suspended by TAKEL and by PAI, and revoked ones, each after its registration', () => {
    const by = (who: 'TAKEL' | 'PAI'): ImportedSystem[] =>
      plan.systems.filter((s) => s.steps.some((x) => x.kind === 'suspended' && x.by === who));
    expect(by('TAKEL').length).toBeGreaterThan(0);
    expect(by('PAI').length).toBeGreaterThan(0);
    expect(plan.systems.some((s) => s.steps.some((x) => x.kind === 'revoked'))).toBe(true);
    const outOfOrder = plan.systems.filter(
      (s) =>
        s.steps[0].kind !== 'registrationConfirmed' ||
        s.steps.some((x, i) => i > 0 && Date.parse(x.occurredAt) < Date.parse(s.steps[i - 1].occurredAt)),
    );
    expect(outOfOrder.map((s) => s.pseId)).toEqual([]);
    expect(plan.stats.statusMismatches).toBe(0);
  });

  it("replaying each system's steps ends in the snapshot's status", () => {
    const replayed = (s: ImportedSystem): string =>
      s.steps.reduce<string>((status, step) => {
        switch (step.kind) {
          case 'suspended':
            return `SUSPENDED_BY_${step.by}`;
          case 'revoked':
            return 'DICABUT';
          case 'registrationRestored':
            return 'TERDAFTAR';
          default:
            return status;
        }
      }, 'TERDAFTAR');
    const disagreeing = plan.systems.filter((s) => replayed(s) !== s.currentStatus);
    expect(disagreeing.map((s) => s.pseId)).toEqual([]);
    expect(plan.systems.filter((s) => s.currentStatus !== 'TERDAFTAR').length).toBeGreaterThan(30);
  });

  it('rejects what it cannot use, each with a reason and detail', () => {
    expect(plan.rejected.length).toBe(plan.stats.rowsRejected);
    expect(plan.rejected.filter((r) => !/^[a-z-]+$/.test(r.reason) || r.detail === '')).toEqual([]);
    // Only a test entry, a bad certificate number and the systems gone from the snapshot are left out.
    expect(plan.stats.rejectedByReason).toEqual({ bogus: 1, 'bad-registration-number': 1, disappeared: 16 });
    expect(plan.rejected).toContainEqual(
      expect.objectContaining({ reason: 'bogus', detail: expect.stringContaining('ABCD.com') }),
    );
    expect(plan.rejected).toContainEqual(
      expect.objectContaining({
        reason: 'bad-registration-number',
        detail: expect.stringContaining('00204.01/DJAI.PSE/10/2022'),
      }),
    );
    // Systems the crawl saw that the final snapshot no longer lists.
    expect(plan.stats.rejectedByReason['disappeared']).toBe(16);
  });

  it('imports the systems without a domain (website "-", app-only, IP-only) as cases of their own', () => {
    expect(plan.stats).toMatchObject({
      systemsImported: 11_944,
      domains: 10_214,
      appIds: 119,
      ipAddresses: 12,
      systemsWithoutDomain: 1_813,
      systemsWithoutBlockableAddress: 1_802,
    });
    // The 12 whose address was an IP (one a list of host names ending in one).
    const withIp = plan.systems.filter((s) => s.identification.ipAddresses.length > 0);
    expect(withIp.flatMap((s) => s.identification.ipAddresses)).toContain('13.227.254.72');
    expect(withIp.filter((s) => s.identification.domains.length === 0)).toHaveLength(11);
    // Mobile-only systems come with their store ids.
    const whatsapp = plan.systems.find((s) => s.identification.appIds.includes('id310633997'));
    expect(whatsapp?.identification.domains).toEqual([]);
  });

  it('keeps app-store listings as app ids instead of inventing domains', () => {
    const odd = plan.systems
      .flatMap((s) => s.identification.domains)
      .filter((d) => !/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(d));
    expect(odd).toEqual([]);
  });

  it('is deterministic: a re-run gives the same plan', () => {
    // Compared as JSON: a deep toEqual over ~10,000 systems is needlessly slow.
    expect(JSON.stringify(buildImportPlan(snapshotText, changesText))).toBe(JSON.stringify(plan));
  });
});
