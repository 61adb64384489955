import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { SanksiConfig } from '../config/sanksi-config';

/** What a redacted value is replaced with in the log. */
export const REDACTED = '[redacted]';

/**
 * Paths pino blanks out wherever Sanksi logs them: credentials in request headers, and the secrets of
 * the configuration (a database URL carries its password, API keys and OSS producer keys are bearer
 * secrets). Applied by the root logger and again by the HTTP logger, so an injected logger keeps it too.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  ...['req.headers', 'headers'].flatMap((at) => [
    `${at}.authorization`,
    `${at}["proxy-authorization"]`,
    `${at}.cookie`,
    `${at}["x-api-key"]`,
    `${at}["x-oss-signature"]`,
  ]),
  'res.headers["set-cookie"]',
  ...[
    'DATABASE_URL',
    'connectionString',
    'password',
    'secret',
    'apiKeys',
    'ossProducerKeys',
    'SANKSI_API_KEYS',
    'SANKSI_OSS_PRODUCER_KEYS',
    'KAFKA_SASL_PASSWORD',
  ].flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

/** pino's redaction options with Sanksi's paths. */
export const LOG_REDACTION: NonNullable<LoggerOptions['redact']> = {
  paths: [...LOG_REDACT_PATHS],
  censor: REDACTED,
};

/** The process's root logger: JSON lines at the configured level, secrets redacted (LOG_REDACT_PATHS). */
export function createSanksiLogger(level: SanksiConfig['logLevel'], destination?: DestinationStream): Logger {
  const options: LoggerOptions = { level, base: { app: 'sanksi' }, redact: LOG_REDACTION };
  return destination ? pino(options, destination) : pino(options);
}
