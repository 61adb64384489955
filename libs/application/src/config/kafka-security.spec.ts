import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporaryDirectory } from '@sanksi/testing';
import { kafkaSecurity } from './kafka-security';
import { ConfigurationInvalid, loadConfig } from './sanksi-config';

describe('kafkaSecurity', () => {
  it('reads the PEM files named by KAFKA_SSL_* and passes SASL through; nothing without Kafka', () => {
    const dir = temporaryDirectory('sanksi-kafka-security');
    try {
      writeFileSync(path.join(dir.path, 'ca.pem'), 'CA PEM');
      writeFileSync(path.join(dir.path, 'client.pem'), 'CERT PEM');
      writeFileSync(path.join(dir.path, 'client.key'), 'KEY PEM');
      const config = loadConfig({
        KAFKA_BROKERS: 'kafka-1:9093',
        KAFKA_SSL_CA_FILE: path.join(dir.path, 'ca.pem'),
        KAFKA_SSL_CERT_FILE: path.join(dir.path, 'client.pem'),
        KAFKA_SSL_KEY_FILE: path.join(dir.path, 'client.key'),
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'sanksi',
        KAFKA_SASL_PASSWORD: 'pw',
      });
      expect(kafkaSecurity(config.kafka)).toEqual({
        ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
        sasl: { mechanism: 'scram-sha-256', username: 'sanksi', password: 'pw' },
      });
      expect(kafkaSecurity(loadConfig({ KAFKA_BROKERS: 'k:9093', KAFKA_SSL: 'true' }).kafka)).toEqual({
        ssl: true,
      });
      expect(kafkaSecurity(loadConfig({ KAFKA_BROKERS: 'k:9092' }).kafka)).toEqual({});
      expect(kafkaSecurity(loadConfig({}).kafka)).toEqual({});
    } finally {
      dir.remove();
    }
  });

  it('names the variable of a PEM file it cannot read', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'k:9093', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' });
    expect(() => kafkaSecurity(config.kafka)).toThrow(ConfigurationInvalid);
    expect(() => kafkaSecurity(config.kafka)).toThrow(
      /KAFKA_SSL_CA_FILE cannot be read \(\/nonexistent\/ca.pem\)/,
    );
  });
});
