import { hashEnvelope } from '@sanksi/domain';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CliRun, runCli, tempDir, writeRegistryFixture } from './cli-process.fixture';

jest.setTimeout(180_000);

describe('sanksi CLI (the built process)', () => {
  describe('usage', () => {
    it('given --help, then every command of docs/regulation.md §15.3 is listed and the exit code is 0', () => {
      const { code, stdout } = runCli(['--help'], {});
      expect(code).toBe(0);
      for (const command of [
        'serve',
        'import',
        'cases',
        'replay',
        'what-if',
        'verify',
        'projections',
        'blocklist',
        'evidence',
        'simulate',
        'stats',
      ]) {
        expect(stdout).toContain(command);
      }
    });

    it('given a command with --help, then its options are described', () => {
      const { code, stdout } = runCli(['replay', '--help'], {});
      expect(code).toBe(0);
      expect(stdout).toContain('--as-of');
      expect(stdout).toContain('--known-at');
    });

    it('given an unknown command, then exit 2', () => {
      const { code, stderr } = runCli(['frobnicate'], {});
      expect(code).toBe(2);
      expect(stderr).toContain("unknown command 'frobnicate'");
    });

    it('given a command group without its sub-command, then its help and exit 2', () => {
      const { code, stderr } = runCli(['evidence'], {});
      expect(code).toBe(2);
      expect(stderr).toContain('verify');
    });

    it('given a bad --format, then exit 2 naming every allowed value', () => {
      const { dir, cleanup } = tempDir('usage');
      try {
        const { code, stderr } = runCli(['blocklist', 'export', '--format', 'xml'], { SANKSI_DATA_DIR: dir });
        expect(code).toBe(2);
        for (const f of ['txt', 'hosts', 'rpz', 'csv', 'json']) expect(stderr).toContain(`"${f}"`);
      } finally {
        cleanup();
      }
    });

    it('given a bad --state, a bad --as-of and a missing required option, then exit 2 each time', () => {
      const { dir, cleanup } = tempDir('usage');
      try {
        const state = runCli(['cases', 'list', '--state', 'asleep'], { SANKSI_DATA_DIR: dir });
        expect(state.code).toBe(2);
        expect(state.stderr).toContain('"warned"');
        const asOf = runCli(['replay', 'reg-1', '--as-of', 'yesterday'], { SANKSI_DATA_DIR: dir });
        expect(asOf.code).toBe(2);
        expect(asOf.stderr).toContain('--as-of');
        const policy = runCli(['what-if'], { SANKSI_DATA_DIR: dir });
        expect(policy.code).toBe(2);
        expect(policy.stderr).toContain('--policy');
        const badPolicy = runCli(['what-if', '--policy', 'mr6'], { SANKSI_DATA_DIR: dir });
        expect(badPolicy.code).toBe(2);
        expect(badPolicy.stderr).toContain('"pp43-2023"');
        for (const until of ['yesterday', '2022-08-01T12:00:00', '2022-13-01']) {
          const badUntil = runCli(['what-if', '--policy', 'mr5-literal', '--until', until], {
            SANKSI_DATA_DIR: dir,
          });
          expect(badUntil.code).toBe(2);
          expect(badUntil.stderr).toContain(
            '--until: must be an ISO-8601 instant with offset (2022-08-01T12:00:00+07:00) or a date (2022-08-01: the end of that day in WIB)',
          );
        }
      } finally {
        cleanup();
      }
    });

    it('given an invalid configuration, then exit 3 naming the variable', () => {
      const { code, stderr } = runCli(['cases', 'list'], { SANKSI_EVENT_STORE: 'mysql' });
      expect(code).toBe(3);
      expect(stderr).toContain('SANKSI_EVENT_STORE');
    });
  });

  describe('on an imported registry fixture (embedded SQLite)', () => {
    let dir: string;
    let cleanup: () => void;
    let files: { snapshot: string; changes: string };
    const env = () => ({ SANKSI_DATA_DIR: dir });
    const importArgs = () => ['import', '--snapshot', files.snapshot, '--changes', files.changes];
    // The import every test below reads: done before them, so that any one of them runs alone (`-t`).
    let imported: CliRun;

    beforeAll(() => {
      ({ dir, cleanup } = tempDir('fixture'));
      files = writeRegistryFixture(dir);
      imported = runCli([...importArgs(), '--json'], env());
    });
    afterAll(() => cleanup());

    it('when imported, then cases are created, messy rows rejected with reasons and domain refusals reported', () => {
      const { code, stdout, stderr } = imported;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({
        // The website "-" and IP-only systems are cases too (no blockable domain; the IP is kept).
        systems: 7,
        casesCreated: 7,
        casesAlreadyPresent: 0,
        commandsAlreadyApplied: 0,
        rejectedRows: { total: 0, byReason: {} },
        refusedByDomain: { total: 1, byReason: { 'RevokeRegistration refused in registered': 1 } },
        finalStates: { registered: 5, suspended: 1, revoked: 1 },
        // 5 identifications, 5 registrations, 3 suspensions, 1 lifting, 1 revocation. Business time
        // decides (docs/regulation.md §9.5): reg-12's revocation and reg-10's lifting, both dated after
        // the 7-day response period, each first elapse it at its due instant in their own append, so 2
        // more events than commands, and no separate ElapseDeadline command any more.
        commandsApplied: 19,
        eventsAppended: 21,
      });
      expect(report.projected.applied).toBe(report.eventsAppended);
    });

    it('when imported again, then nothing is appended and the summary says so', () => {
      const { code, stdout } = runCli(importArgs(), env());
      expect(code).toBe(0);
      expect(stdout).toMatch(/cases created\s+0/);
      expect(stdout).toMatch(/commands applied\s+0 \(0 events\)/);
      expect(stdout).toContain('Nothing new');
    });

    it('when listing cases by state, then only those are shown', () => {
      const all = JSON.parse(runCli(['cases', 'list', '--json'], env()).stdout);
      expect(all.count).toBe(7);
      const suspended = runCli(['cases', 'list', '--state', 'suspended', '--json'], env());
      expect(suspended.code).toBe(0);
      expect(JSON.parse(suspended.stdout).items.map((c: { pseId: string }) => c.pseId)).toEqual(['reg-2']);
      const foreign = JSON.parse(
        runCli(['cases', 'list', '--origin', 'foreign', '--limit', '1', '--json'], env()).stdout,
      );
      expect(foreign.count).toBe(1);
      expect(foreign.items[0].origin).toBe('foreign');
      const table = runCli(['cases', 'list'], env());
      expect(table.stdout).toContain('Dicabut Setelah Suspensi');
      expect(table.stdout).not.toContain('\u001b[');
    });

    it('when showing a case, then its summary and timeline; an unknown case exits 4', () => {
      const shown = runCli(['cases', 'show', 'reg-12', '--json'], env());
      expect(shown.code).toBe(0);
      const { summary, timeline } = JSON.parse(shown.stdout);
      expect(summary).toMatchObject({
        pseId: 'reg-12',
        state: 'revoked',
        onBlocklist: true,
        policyVersion: 'kominfo-2022',
      });
      expect(timeline.map((t: { eventType: string }) => t.eventType)).toEqual([
        'PseIdentified',
        'RegistrationConfirmed',
        'RegistrationSuspended',
        'DeadlineElapsed',
        'RegistrationRevoked',
      ]);
      const missing = runCli(['cases', 'show', 'reg-404'], env());
      expect(missing.code).toBe(4);
      expect(missing.stderr).toContain('reg-404');
    });

    it('when replaying, then the timeline shows business and record time, state after and reason', () => {
      const { code, stdout } = runCli(['replay', 'reg-12'], env());
      expect(code).toBe(0);
      expect(stdout).toMatch(/occurred \(WIB\)\s+recorded \(WIB\)\s+event\s+state after\s+reason/);
      // The registration happened on 5 July but was learnt from the 18 July crawl.
      expect(stdout).toMatch(
        /2022-07-05 00:00 WIB\s+2022-07-18 09:00 WIB\s+RegistrationConfirmed\s+registered/,
      );
      expect(stdout).toMatch(/RegistrationRevoked\s+revoked\s+.*response deadline had elapsed/);
      expect(runCli(['replay', 'reg-404'], env()).code).toBe(4);
    });

    it('when asking as-of and known-at, then the bitemporal state is returned', () => {
      const asOf = (args: string[]) =>
        JSON.parse(runCli(['replay', 'reg-12', '--json', ...args], env()).stdout);
      expect(asOf(['--as-of', '2022-08-15']).state).toBe('suspended');
      expect(asOf(['--as-of', '2022-09-20']).state).toBe('revoked');
      // On 10 July the registration was in effect, but the system only learnt it from the 18 July crawl.
      expect(asOf(['--as-of', '2022-07-10', '--known-at', '2022-07-10']).state).toBeNull();
      expect(asOf(['--as-of', '2022-07-10', '--known-at', '2022-07-20']).state).toBe('registered');
    });

    it('when counting states as of a date as known at a time, then later records are left out', () => {
      const states = (args: string[]) => {
        const run = runCli(['stats', 'states', '--json', ...args], env());
        expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
        return JSON.parse(run.stdout);
      };
      // Registered on 1 July (reg-1), 10 July (reg-2), 1 June (reg-9), all seen by the 17 July crawl;
      // reg-12 registered on 5 July but first seen by the 18 July 09:00 WIB crawl; reg-10 only on 15 July.
      expect(states(['--as-of', '2022-07-10'])).toEqual({
        asOf: '2022-07-10',
        knownAt: null,
        counts: expect.objectContaining({ registered: 5, suspended: 0 }),
        total: 5,
      });
      expect(states(['--as-of', '2022-07-10', '--known-at', '2022-07-17'])).toMatchObject({
        knownAt: '2022-07-17',
        counts: { registered: 4 },
        total: 4,
      });
      expect(states(['--as-of', '2022-07-10', '--known-at', '2022-07-18T08:59:59+07:00']).total).toBe(4);
      expect(states(['--as-of', '2022-07-10', '--known-at', '2022-07-18T02:00:00Z'])).toMatchObject({
        knownAt: '2022-07-18T09:00:00+07:00',
        total: 5,
      });
      expect(states(['--as-of', '2022-07-10', '--known-at', '2022-07-10']).total).toBe(1);
      // reg-10's suspension (10 August) is unknown on 5 August; reg-2's (31 July) and reg-12's (1 August) are known.
      expect(states(['--as-of', '2022-08-15']).counts).toMatchObject({ registered: 4, suspended: 3 });
      expect(states(['--as-of', '2022-08-15', '--known-at', '2022-08-05']).counts).toMatchObject({
        registered: 5,
        suspended: 2,
      });
    });

    it('when counting states for people, then a table of every state and the total; bad bounds exit 2', () => {
      const { code, stdout } = runCli(
        ['stats', 'states', '--as-of', '2022-08-15', '--known-at', '2022-08-05'],
        env(),
      );
      expect(code).toBe(0);
      expect(stdout).toContain(
        'Cases per state on 2022-08-15 (end of day WIB), as known at 2022-08-05 (end of day WIB):',
      );
      expect(stdout).toMatch(/state\s+cases\n/);
      expect(stdout).toMatch(/\nregistered\s+5\n/);
      expect(stdout).toMatch(/\nsuspended\s+2\n/);
      expect(stdout).toMatch(/\nexempted\s+0\n/);
      expect(stdout).toMatch(/\ntotal\s+7\n$/);
      const now = runCli(['stats', 'states', '--as-of', '2022-08-15T12:00:00+07:00'], env());
      expect(now.stdout).toContain('on 2022-08-15 12:00 WIB, as known now (everything recorded):');
      const bad = runCli(['stats', 'states', '--known-at', 'yesterday'], env());
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--known-at');
      const noOffset = runCli(['stats', 'states', '--as-of', '2022-08-15T12:00:00'], env());
      expect(noOffset.code).toBe(2);
      expect(noOffset.stderr).toContain('--as-of');
    });

    it('when verifying an untouched store, then exit 0', () => {
      const { code, stdout } = runCli(['verify', '--json'], env());
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ ok: true, cases: 7, divergences: [] });
    });

    it('when exporting the blocklist, then every format holds the revoked case domain', () => {
      const out = (format: string) => runCli(['blocklist', 'export', '--format', format], env());
      expect(out('txt').stdout).toBe('cabut.co.id\n');
      expect(out('hosts').stdout).toContain('0.0.0.0 cabut.co.id');
      expect(out('rpz').stdout).toContain('*.cabut.co.id CNAME .');
      expect(out('csv').stdout).toMatch(/^domain,pseId,since,ip\ncabut\.co\.id,reg-12,/);
      const json = JSON.parse(out('json').stdout);
      expect(json.entries.map((e: { domain: string }) => e.domain)).toEqual(['cabut.co.id']);
      const file = path.join(dir, 'blocklist.txt');
      expect(runCli(['blocklist', 'export', '--format', 'txt', '--out', file], env()).code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('cabut.co.id\n');
    });

    it('when asking projection status and rebuilding, then the read models catch up again', () => {
      const status = JSON.parse(runCli(['projections', 'status', '--json'], env()).stdout);
      expect(status).toMatchObject({ checkpoint: 'read-models', lag: 0, lease: null });
      const rebuilt = runCli(['projections', 'rebuild', 'read-models', '--json'], env());
      expect(rebuilt.code).toBe(0);
      expect(JSON.parse(rebuilt.stdout)).toMatchObject({ rebuilt: 'read-models', position: status.head });
      expect(JSON.parse(rebuilt.stdout).applied).toBeGreaterThan(10);
      expect(JSON.parse(runCli(['cases', 'list', '--json'], env()).stdout).count).toBe(7);
      expect(runCli(['projections', 'rebuild', 'nonsense'], env()).code).toBe(2);
    });

    it('given another process holding the projector lease, when asking projection status, then it names the holder and until when', () => {
      const db = new Database(path.join(dir, 'read-models.db'));
      const until = Date.now() + 60_000;
      db.prepare(
        `INSERT INTO projector_leases (name, holder, expires_at_ms) VALUES ('read-models', 'ops-rebuild', ?)`,
      ).run(until);
      try {
        const status = JSON.parse(runCli(['projections', 'status', '--json'], env()).stdout);
        expect(status.lease).toEqual({ holder: 'ops-rebuild', expiresAt: new Date(until).toISOString() });
        expect(runCli(['projections', 'status'], env()).stdout).toContain('ops-rebuild');
      } finally {
        db.prepare(`DELETE FROM projector_leases WHERE holder = 'ops-rebuild'`).run();
        db.close();
      }
    });

    it('when asking what-if for one case and the population, then final states both ways and the first divergence', () => {
      const whatIf = (args: string[]) => {
        const run = runCli(['what-if', ...args], env());
        expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
        return run.stdout;
      };
      const one = JSON.parse(
        whatIf(['--policy', 'pp43-2023', '--case', 'reg-12', '--until', '2022-12-31', '--json']),
      );
      expect(one).toMatchObject({
        policy: 'pp43-2023',
        until: '2022-12-31T23:59:59+07:00',
        cases: 1,
        differing: 0,
        counts: { recorded: { revoked: 1 }, alternative: { revoked: 1 } },
      });
      expect(one.reports).toHaveLength(1);
      // mr5-literal revokes a lapsed suspension by itself at the due instant (docs/regulation.md §13.7);
      // the imported cases run under kominfo-2022, which leaves revocation to TAKEL or PAI.
      const mid = JSON.parse(whatIf(['--policy', 'mr5-literal', '--until', '2022-08-15', '--json']));
      expect(mid).toMatchObject({
        until: '2022-08-15T23:59:59+07:00',
        cases: 7,
        differing: 2,
        counts: {
          recorded: { registered: 4, suspended: 3, revoked: 0 },
          alternative: { registered: 4, suspended: 1, revoked: 2 },
        },
      });
      expect(mid.reports.map((r: { pseId: string; divergence: unknown }) => [r.pseId, r.divergence])).toEqual(
        [
          [
            'reg-2',
            {
              index: 3,
              recorded: null,
              alternative: {
                type: 'DeadlineElapsed',
                occurredAt: '2022-08-07T23:59:59+07:00',
                state: 'suspended',
              },
            },
          ],
          [
            'reg-12',
            {
              index: 4,
              recorded: null,
              alternative: {
                type: 'RegistrationRevoked',
                occurredAt: '2022-08-08T23:59:59+07:00',
                state: 'revoked',
              },
            },
          ],
        ],
      );
      const later = whatIf(['--policy', 'mr5-literal', '--until', '2022-12-31']);
      expect(later).toContain(
        'What if under mr5-literal until 2022-12-31T23:59:59+07:00: 3 of 7 case(s) would differ',
      );
      // reg-10 answered its suspension only after the response period: the literal reading had revoked it.
      expect(later).toContain(
        [
          '  reg-10: recorded registered, what-if revoked',
          '    first divergence at event #4:',
          '      recorded  SuspensionLifted at 2022-09-01T10:00:00+00:00 (registered)',
          '      what-if   RegistrationRevoked at 2022-08-17T23:59:59+07:00 (revoked)',
        ].join('\n'),
      );
      expect(later).toMatch(/\nregistered\s+5\s+4\nsuspended\s+1\s+0\nrevoked\s+1\s+3\ntotal\s+7\s+7\n$/);
      // Without --until: now, in WIB.
      expect(whatIf(['--policy', 'mr5-literal'])).toMatch(
        /^What if under mr5-literal until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+07:00: 3 of 7 case\(s\) would differ\n/,
      );
    });

    it('when exporting evidence, then it is VALID against this installation’s key; tampered or foreign packs fail with exit 1', () => {
      const file = path.join(dir, 'reg-12.evidence.json');
      const exported = runCli(['evidence', 'export', 'reg-12', '--out', file], env());
      expect(exported.code).toBe(0);
      expect(exported.stdout).toContain('5 event(s)');
      // By default the installation's own signing key is the trusted one.
      const verified = runCli(['evidence', 'verify', file, '--json'], env());
      expect(verified.code).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, pseId: 'reg-12', eventCount: 5 });
      expect(runCli(['evidence', 'verify', file], env()).stdout).toMatch(/^VALID: reg-12, 5 event\(s\)/);
      // Elsewhere, with no key configured, the pack's own key proves nothing: the issuer's key is pinned.
      const elsewhere = { SANKSI_DATA_DIR: path.join(dir, 'nowhere') };
      const unpinned = runCli(['evidence', 'verify', file, '--json'], elsewhere);
      expect(unpinned.code).toBe(1);
      expect(JSON.parse(unpinned.stdout)).toMatchObject({
        ok: false,
        reason: 'untrusted-key',
        signatureValid: true,
      });
      expect(existsSync(path.join(dir, 'nowhere'))).toBe(false);
      const key = runCli(['evidence', 'public-key'], env()).stdout.trim();
      expect(runCli(['evidence', 'verify', file, '--public-key', key], elsewhere).code).toBe(0);
      const pack = JSON.parse(readFileSync(file, 'utf8'));
      const tamper = (name: string, change: (p: typeof pack) => void) => {
        const copy = JSON.parse(JSON.stringify(pack));
        change(copy);
        const tampered = path.join(dir, `${name}.json`);
        writeFileSync(tampered, JSON.stringify(copy));
        return runCli(['evidence', 'verify', tampered], env());
      };
      const cases: Array<[string, (p: typeof pack) => void, string]> = [
        [
          'added',
          (p) => (p.events[4].data.comment = 'unsigned'),
          'INVALID (unknown-field): events[4].data.comment',
        ],
        ['changed', (p) => (p.events[4].data.reason = 'nothing happened'), 'INVALID (broken-chain): event 4'],
        ['reordered', (p) => p.events.reverse(), 'INVALID (broken-chain): event 0'],
        ['removed', (p) => p.events.splice(2, 1), 'INVALID (count-mismatch)'],
        ['header', (p) => (p.exportedAt = '2030-01-01T00:00:00Z'), 'INVALID (bad-signature)'],
      ];
      for (const [name, change, expected] of cases) {
        const failed = tamper(name, change);
        expect([name, failed.code, failed.stdout]).toEqual([name, 1, expect.stringContaining(expected)]);
      }
      expect(runCli(['evidence', 'export', 'reg-404', '--out', file], env()).code).toBe(4);
      expect(runCli(['evidence', 'verify', path.join(dir, 'missing.json')], env()).code).toBe(1);
    });

    it('when an event is altered in the SQLite file, then verify exits 1 naming the case', () => {
      const db = new Database(path.join(dir, 'events.db'));
      try {
        const changed = db
          .prepare(
            `UPDATE events SET data = json_set(data, '$.registrationNumber', '999999.01/DJAI.PSE/01/2022')
             WHERE stream_id = 'pse-reg-1' AND type = 'RegistrationConfirmed'`,
          )
          .run();
        expect(changed.changes).toBe(1);
      } finally {
        db.close();
      }
      const { code, stdout } = runCli(['verify'], env());
      expect(code).toBe(1);
      expect(stdout).toContain('DIVERGENCE in 1 of 7 case(s)');
      expect(stdout).toMatch(/reg-1: hash chain broken at event #1/);
    });
  });

  describe('verify against a re-hashed but wrong recorded state', () => {
    it('given an event whose recorded state was rewritten and re-hashed, then verify exits 1 with a state divergence', () => {
      const { dir, cleanup } = tempDir('state');
      try {
        const files = writeRegistryFixture(dir);
        expect(
          runCli(['import', '--snapshot', files.snapshot, '--changes', files.changes], {
            SANKSI_DATA_DIR: dir,
          }).code,
        ).toBe(0);
        const db = new Database(path.join(dir, 'events.db'));
        try {
          const row = db
            .prepare(
              `SELECT position, event_id, type, data, schema_version, metadata FROM events WHERE stream_id = 'pse-reg-10' ORDER BY revision DESC LIMIT 1`,
            )
            .get() as {
            position: number;
            event_id: string;
            type: string;
            data: string;
            schema_version: number;
            metadata: string;
          };
          const metadata = JSON.parse(row.metadata);
          metadata.state = { ...metadata.state, state: 'warned' };
          // The stored metadata also keeps the digest of the command (to refuse a reused idempotency
          // key); it is not part of the envelope and not hashed.
          const { commandDigest: _digest, ...fields } = metadata;
          const envelope = {
            ...fields,
            eventId: row.event_id,
            type: row.type,
            data: JSON.parse(row.data),
            schemaVersion: row.schema_version,
          };
          metadata.hash = hashEnvelope(envelope);
          db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(
            JSON.stringify(metadata),
            row.position,
          );
        } finally {
          db.close();
        }
        const { code, stdout } = runCli(['verify', '--json'], { SANKSI_DATA_DIR: dir });
        expect(code).toBe(1);
        expect(JSON.parse(stdout).divergences).toEqual([
          expect.objectContaining({
            pseId: 'reg-10',
            problem: 'state',
            detail: 'recorded warned, current machine derives registered',
          }),
        ]);
      } finally {
        cleanup();
      }
    });
  });

  describe('a data directory a newer build migrated', () => {
    it('given a read-model file or an event file with a migration this build does not know, then every command exits 3 naming both versions and changes nothing', () => {
      const { dir, cleanup } = tempDir('newer');
      try {
        expect(runCli(['simulate', '--systems', '20', '--seed', '7'], { SANKSI_DATA_DIR: dir }).code).toBe(0);
        const readModels = new Database(path.join(dir, 'read-models.db'));
        const newest = readModels
          .prepare('SELECT max(version) FROM read_model_migrations')
          .pluck()
          .get() as number;
        readModels
          .prepare(`INSERT INTO read_model_migrations VALUES (?, 'from a newer build', '2027-01-01')`)
          .run(newest + 1);
        readModels.close();
        const refused = runCli(['cases', 'list', '--json'], { SANKSI_DATA_DIR: dir });
        expect(refused.code).toBe(3);
        expect(JSON.parse(refused.stderr)).toEqual({
          error: expect.objectContaining({
            code: 'READ_MODEL_SCHEMA_TOO_NEW',
            known: newest,
            found: newest + 1,
          }),
        });
        const served = runCli(['serve', '--port', '39197'], { SANKSI_DATA_DIR: dir });
        expect(served.code).toBe(3);
        expect(served.stderr).toContain(
          `has migrations up to ${newest + 1}, and this build of Sanksi knows up to ${newest}`,
        );

        const events = new Database(path.join(dir, 'events.db'));
        const version = events.pragma('user_version', { simple: true }) as number;
        const count = events.prepare('SELECT count(*) FROM events').pluck().get();
        events.pragma(`user_version = ${version + 1}`);
        events.close();
        const simulated = runCli(['simulate', '--systems', '40', '--seed', '7', '--json'], {
          SANKSI_DATA_DIR: dir,
        });
        expect(simulated.code).toBe(3);
        expect(JSON.parse(simulated.stderr).error).toMatchObject({
          code: 'EVENT_STORE_SCHEMA_TOO_NEW',
          known: version,
          found: version + 1,
        });
        const after = new Database(path.join(dir, 'events.db'), { readonly: true });
        try {
          expect(after.prepare('SELECT count(*) FROM events').pluck().get()).toBe(count);
        } finally {
          after.close();
        }
      } finally {
        cleanup();
      }
    });
  });

  describe('simulate', () => {
    it('given the same seed twice, then the same population, and the second run appends nothing', () => {
      const a = tempDir('sim-a');
      const b = tempDir('sim-b');
      try {
        const run = (dirName: string) =>
          runCli(['simulate', '--systems', '60', '--seed', '42', '--json'], { SANKSI_DATA_DIR: dirName });
        const first = run(a.dir);
        expect(first.code).toBe(0);
        const report = JSON.parse(first.stdout);
        expect(report.casesCreated).toBe(60);
        expect(report.commandsApplied).toBeGreaterThan(60);
        expect(Object.values(report.finalStates as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(
          60,
        );
        // A different store, the same seed: the very same counts.
        const elsewhere = JSON.parse(run(b.dir).stdout);
        expect(elsewhere.commandsByType).toEqual(report.commandsByType);
        expect(elsewhere.finalStates).toEqual(report.finalStates);
        const again = JSON.parse(run(a.dir).stdout);
        expect(again).toMatchObject({ casesCreated: 0, casesAlreadyPresent: 60, commandsApplied: 0 });
        expect(again.commandsAlreadyApplied).toBe(report.commandsApplied);
        const verified = runCli(['verify', '--json'], { SANKSI_DATA_DIR: a.dir });
        expect(verified.code).toBe(0);
        expect(JSON.parse(verified.stdout).cases).toBe(60);
        // pp43-2023 fines; mr5-literal has no administrative fines, so every fined case would differ.
        const whatIf = JSON.parse(
          runCli(['what-if', '--policy', 'mr5-literal', '--json'], { SANKSI_DATA_DIR: a.dir }).stdout,
        );
        expect(whatIf.cases).toBe(60);
        expect(whatIf.differing).toBeGreaterThan(0);
        expect(report.commandsByType.ImposeFine).toBeGreaterThan(0);
        for (const r of whatIf.reports) expect(r.differs).toBe(true);
        // Every case counts on both sides; no case ends fined under a policy without fines.
        const total = (side: Record<string, number>) => Object.values(side).reduce((x, y) => x + y, 0);
        expect([total(whatIf.counts.recorded), total(whatIf.counts.alternative)]).toEqual([60, 60]);
        expect(whatIf.counts.recorded.fined).toBeGreaterThan(0);
        expect(whatIf.counts.alternative.fined).toBe(0);
        const other = JSON.parse(
          runCli(['simulate', '--systems', '60', '--seed', '43', '--json'], { SANKSI_DATA_DIR: b.dir })
            .stdout,
        );
        expect(other.commandsByType).not.toEqual(report.commandsByType);
      } finally {
        a.cleanup();
        b.cleanup();
      }
    });

    it('given a bad --systems, then exit 2', () => {
      const { code, stderr } = runCli(['simulate', '--systems', 'many'], {});
      expect(code).toBe(2);
      expect(stderr).toContain('--systems');
    });
  });
});
