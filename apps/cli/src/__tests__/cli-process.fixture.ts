import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The built CLI (the jest target depends on `build`). */
export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'main.js');

/** What one run of the CLI process produced. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/main.js ...args` as a process with the given extra environment. */
export function runCli(args: string[], env: Record<string, string>): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', SANKSI_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary directory removed by the returned `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `sanksi-cli-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const HEADER =
  'system_id,registration_id,origin,status,name,website,sector,company,registered_on,registration_number';

/**
 * A small registry in the real files' format: a registered system, one suspended, one suspended and
 * later restored, one suspended and revoked after its response period, one revoked with no suspension
 * on record (the domain refuses that), and two messy rows (no domain, an IP address).
 */
export function writeRegistryFixture(dir: string): { snapshot: string; changes: string } {
  const snapshot = [
    HEADER,
    '1,11,LOKAL,TERDAFTAR,Toko Baik,www.tokobaik.co.id,Sektor Perdagangan,PT TOKO BAIK,2022-07-01,000001.01/DJAI.PSE/07/2022',
    '2,12,ASING,SUSPENDED_BY_TAKEL,Foo Store,a-foo.com,Sektor Perdagangan,FOO INC,2022-07-10,000002.01/DJAI.PSE/07/2022',
    '3,13,LOKAL,TERDAFTAR,Tanpa Situs,-,Sektor Keuangan,PT TANPA,2022-07-11,000003.01/DJAI.PSE/07/2022',
    '4,14,ASING,TERDAFTAR,Alamat IP,110.110.110.135,Sektor Kesehatan,HYPNO PTE LTD,2022-05-23,000004.01/DJAI.PSE/05/2022',
    '9,19,LOKAL,DICABUT,Dicabut Langsung,dicabut.id,Sektor Keuangan,PT CABUT,2022-06-01,000009.01/DJAI.PSE/06/2022',
    '10,20,ASING,TERDAFTAR,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
    '12,22,LOKAL,DICABUT,Dicabut Setelah Suspensi,cabut.co.id,Sektor Keuangan,PT CABUT DUA,2022-07-05,000012.01/DJAI.PSE/07/2022',
    '',
  ].join('\n');
  const changes = [
    `observed_at,change,${HEADER}`,
    '2022-07-17T17:55:28+08:00,appeared,1,11,LOKAL,TERDAFTAR,Toko Baik,www.tokobaik.co.id,Sektor Perdagangan,PT TOKO BAIK,2022-07-01,000001.01/DJAI.PSE/07/2022',
    '2022-07-17T17:55:28+08:00,appeared,2,12,ASING,TERDAFTAR,Foo Store,a-foo.com,Sektor Perdagangan,FOO INC,2022-07-10,000002.01/DJAI.PSE/07/2022',
    '2022-07-31T06:49:10+08:00,status_changed,2,12,ASING,SUSPENDED_BY_TAKEL,Foo Store,a-foo.com,Sektor Perdagangan,FOO INC,2022-07-10,000002.01/DJAI.PSE/07/2022',
    '2022-07-17T17:55:28+08:00,appeared,9,19,LOKAL,TERDAFTAR,Dicabut Langsung,dicabut.id,Sektor Keuangan,PT CABUT,2022-06-01,000009.01/DJAI.PSE/06/2022',
    '2022-08-03T10:00:00+00:00,status_changed,9,19,LOKAL,DICABUT,Dicabut Langsung,dicabut.id,Sektor Keuangan,PT CABUT,2022-06-01,000009.01/DJAI.PSE/06/2022',
    '2022-07-18T09:00:00+07:00,appeared,10,20,ASING,TERDAFTAR,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
    '2022-08-10T10:00:00+00:00,status_changed,10,20,ASING,SUSPENDED_BY_PAI,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
    '2022-09-01T10:00:00+00:00,status_changed,10,20,ASING,TERDAFTAR,Pulih,pulih.com,Sektor Keuangan,PULIH LTD,2022-07-15,000010.01/DJAI.PSE/07/2022',
    '2022-07-18T09:00:00+07:00,appeared,12,22,LOKAL,TERDAFTAR,Dicabut Setelah Suspensi,cabut.co.id,Sektor Keuangan,PT CABUT DUA,2022-07-05,000012.01/DJAI.PSE/07/2022',
    '2022-08-01T10:00:00+00:00,status_changed,12,22,LOKAL,SUSPENDED_BY_PAI,Dicabut Setelah Suspensi,cabut.co.id,Sektor Keuangan,PT CABUT DUA,2022-07-05,000012.01/DJAI.PSE/07/2022',
    '2022-09-15T10:00:00+00:00,status_changed,12,22,LOKAL,DICABUT,Dicabut Setelah Suspensi,cabut.co.id,Sektor Keuangan,PT CABUT DUA,2022-07-05,000012.01/DJAI.PSE/07/2022',
    '',
  ].join('\n');
  const files = { snapshot: path.join(dir, 'snapshot.csv.gz'), changes: path.join(dir, 'changes.csv.gz') };
  writeFileSync(files.snapshot, gzipSync(snapshot));
  writeFileSync(files.changes, gzipSync(changes));
  return files;
}
