import { createRuntime, loadConfig, type SanksiConfig, type SanksiRuntime } from '@sanksi/application';
import pino from 'pino';
import { z } from 'zod';
import { UsageError } from '../cli.errors';
import { type CliOutput, consoleOutput } from '../output/cli-output';

/** What every command needs: a way to open the runtime and to build its output. */
export interface CliDeps {
  /** Opens the configured stores (env via `loadConfig`); the caller closes the runtime. */
  openRuntime(): Promise<SanksiRuntime>;
  /** The configuration alone, for commands that open no store (throws `ConfigurationInvalid`). */
  config(): SanksiConfig;
  /** Output for a command, in `--json` mode or for people. */
  output(options: { json?: boolean }): CliOutput;
  /** The environment the configuration comes from, for threads that open the stores themselves. */
  env?: NodeJS.ProcessEnv;
}

/** The real dependencies: configuration from the environment, logs on stderr at warn level. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): CliDeps {
  return {
    async openRuntime() {
      const config = loadConfig(env);
      // Logs go to stderr so stdout stays clean for --json and exported files.
      const logger = pino(
        { level: env.SANKSI_LOG_LEVEL ?? 'warn', base: { app: 'sanksi-cli' } },
        pino.destination(2),
      );
      return createRuntime(config, { logger });
    },
    config: () => loadConfig(env),
    output: ({ json }) => consoleOutput({ json: Boolean(json) }),
    env,
  };
}

/** Runs `work` with an open runtime and always closes it. */
export async function withRuntime<T>(
  deps: CliDeps,
  work: (runtime: SanksiRuntime) => Promise<T>,
): Promise<T> {
  const runtime = await deps.openRuntime();
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Validates options with zod; on failure a `UsageError` naming each option and what it accepts. */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  value: unknown,
  positional: readonly string[] = [],
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const name = i.path.map(String).join('.');
    const flag = positional.includes(name)
      ? `<${name}>`
      : name
        ? `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
        : 'argument';
    return `${flag}: ${i.message}`;
  });
  throw new UsageError(`invalid arguments: ${problems.join('; ')}`, problems);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An instant option: full ISO-8601 with offset, or a date (the end of that day in WIB). */
export const InstantOption = z
  .string()
  .refine((v) => DATE_ONLY.test(v) || z.iso.datetime({ offset: true }).safeParse(v).success, {
    message: 'must be an ISO-8601 instant with offset (2022-07-30T10:00:00+07:00) or a date (2022-07-30)',
  })
  .transform((v) => (DATE_ONLY.test(v) ? `${v}T23:59:59.999+07:00` : v));

/** A positive integer option given as text. */
export const PositiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));
