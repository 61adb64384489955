import { readFileSync } from 'node:fs';
import type { KafkaSaslOptions, KafkaSslOptions } from '@sanksi/messaging';
import { ConfigurationInvalid, type SanksiConfig } from './sanksi-config';

/** The TLS and SASL options of a kafkajs client, from the configuration (PEM files read here). */
export function kafkaSecurity(kafka: SanksiConfig['kafka']): {
  ssl?: KafkaSslOptions;
  sasl?: KafkaSaslOptions;
} {
  if (!kafka) return {};
  const read = (variable: string, file: string | undefined): string | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigurationInvalid([
        { variable, message: `cannot be read (${file}): ${e instanceof Error ? e.message : String(e)}` },
      ]);
    }
  };
  const ssl: KafkaSslOptions | undefined = kafka.ssl
    ? kafka.ssl.caFile || kafka.ssl.certFile
      ? {
          ...(kafka.ssl.caFile ? { ca: read('KAFKA_SSL_CA_FILE', kafka.ssl.caFile) } : {}),
          ...(kafka.ssl.certFile ? { cert: read('KAFKA_SSL_CERT_FILE', kafka.ssl.certFile) } : {}),
          ...(kafka.ssl.keyFile ? { key: read('KAFKA_SSL_KEY_FILE', kafka.ssl.keyFile) } : {}),
        }
      : true
    : undefined;
  return { ...(ssl ? { ssl } : {}), ...(kafka.sasl ? { sasl: { ...kafka.sasl } } : {}) };
}
