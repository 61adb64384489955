import {
  configuredEvidencePublicKey,
  evidencePublicKey,
  loadOrCreateSigningKey,
  parseEd25519PublicKey,
  type SanksiConfig,
  verifyEvidencePack,
} from '@sanksi/application';
import type { Command } from 'commander';
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { CliError, ExitCode, InputFileError, UsageError } from '../cli.errors';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const ExportOptions = z.object({ out: z.string().min(1), json: z.boolean().optional() });
const VerifyOptions = z.object({
  json: z.boolean().optional(),
  publicKey: z
    .string()
    .regex(/^[A-Za-z0-9+/=\s]+$/, 'must be a base64 public key')
    .optional(),
});
const KeyOptions = z.object({ json: z.boolean().optional() });

/**
 * The installation's signing key for `evidence public-key`, read without opening a store. The data
 * directory's key is made there as the first export would make it, but never in a data directory that
 * does not exist: a key made by asking for one would sign nothing and create the directory by accident.
 */
function installationSigningKey(config: SanksiConfig): KeyObject {
  const file = config.evidenceKeyFile;
  // SANKSI_EVIDENCE_KEY is never created: missing, it is a configuration error naming the variable.
  if (config.evidenceKeyConfigured || existsSync(file))
    return loadOrCreateSigningKey(file, { create: false });
  if (!existsSync(config.dataDir))
    throw new CliError(
      'NO_EVIDENCE_KEY',
      `no evidence signing key: no data directory at ${config.dataDir}, so this installation has none yet ` +
        '(asking for its public key makes none): create the data directory with `sanksi import` or ' +
        '`sanksi migrate` (its key is made there on first use), point SANKSI_DATA_DIR at an existing one, ' +
        "or set SANKSI_EVIDENCE_KEY to the installation's key file",
      ExitCode.configuration,
      { dataDir: config.dataDir, file },
    );
  return loadOrCreateSigningKey(file);
}

/** `sanksi evidence export|verify`: signed, self-contained case files, verifiable offline. */
export function register(program: Command, deps: CliDeps): void {
  const evidence = program
    .command('evidence')
    .description('Signed evidence packs of a case (Ed25519 over the hash-chained events)');
  evidence
    .command('export')
    .description(
      'Export a case as a signed evidence file (key: SANKSI_EVIDENCE_KEY or <data dir>/evidence-signing-key.pem)',
    )
    .argument('<pseId>', 'the case id')
    .requiredOption('--out <file>', 'the file to write')
    .option('--json', 'machine-readable output')
    .action(async (pseId: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(ExportOptions, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        const pack = await runtime.history.evidence(pseId);
        writeFileSync(opts.out, `${JSON.stringify(pack, null, 2)}\n`);
        const summary = {
          pseId,
          file: opts.out,
          eventCount: pack.eventCount,
          headHash: pack.headHash,
          publicKey: pack.signature.publicKey,
        };
        if (out.json) out.data(summary);
        else
          out.line(
            `Wrote ${opts.out}: ${pack.eventCount} event(s), head ${pack.headHash}, signed by ${pack.signature.publicKey}`,
          );
      });
    });
  evidence
    .command('public-key')
    .description('Print the public key evidence packs are signed with, for verifiers to pin')
    .option('--json', 'machine-readable output')
    .action((raw: Record<string, unknown>) => {
      const opts = parseOptions(KeyOptions, raw);
      const out = deps.output(opts);
      const publicKey = evidencePublicKey(installationSigningKey(deps.config()));
      if (out.json) out.data({ algorithm: 'Ed25519', publicKey });
      else out.line(publicKey);
    });
  evidence
    .command('verify')
    .description(
      'Verify an evidence file offline: strict format, Ed25519 key, hash chain, signature and signer; exit 1 unless VALID',
    )
    .argument('<file>', 'the evidence file')
    .option(
      '--public-key <base64>',
      "the issuer's key to trust (from `evidence public-key` or GET /v1/evidence/public-key); default: this installation's signing key",
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nA pack is VALID only when it is signed by the trusted key: --public-key, or else the public half of\n' +
        'SANKSI_EVIDENCE_KEY / <data dir>/evidence-signing-key.pem. A pack signed by any other key (even one it\n' +
        'carries itself) is INVALID (untrusted-key: signature valid but key not trusted).',
    )
    .action((file: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(VerifyOptions, raw);
      const out = deps.output(opts);
      if (opts.publicKey !== undefined) {
        const given = parseEd25519PublicKey(opts.publicKey);
        if (!given.ok) throw new UsageError(`--public-key: ${given.detail}`, [given.detail]);
      }
      // The trusted key never comes from the pack: a pack can carry any key it likes.
      const trustedPublicKey =
        opts.publicKey ??
        configuredEvidencePublicKey(deps.config().evidenceKeyFile, {
          required: deps.config().evidenceKeyConfigured,
        });
      let content: unknown;
      try {
        content = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new InputFileError(file, e instanceof Error ? e.message : String(e));
      }
      const result = verifyEvidencePack(content, { trustedPublicKey });
      if (out.json) out.data(result);
      else if (result.ok) {
        out.line(
          out.colour.green(
            `VALID: ${result.pseId}, ${result.eventCount} event(s), head ${result.headHash}, signed by the trusted key ${result.publicKey}`,
          ),
        );
      } else out.line(out.colour.red(`INVALID (${result.reason}): ${result.detail}`));
      if (!result.ok) process.exitCode = ExitCode.failure;
    });
}
