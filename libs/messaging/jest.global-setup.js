// The real-broker tests of this lib need Kafka on 127.0.0.1:9092. `npm test` starts it (infra/up.sh);
// when this project's tests are run alone (`nx test messaging`) and nothing answers there, start it
// with the same script. It is left running on purpose (recorded as "manual": `npm run infra:down`
// stops it): stopping it at the end could pull it from under another run that is using it.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function startKafkaIfMissing() {
  const brokers = process.env.KAFKA_BROKERS;
  if (brokers && brokers !== '127.0.0.1:9092') return;
  const root = path.resolve(__dirname, '../..');
  const probe = spawnSync('node', [
    path.join(root, 'infra/kafka/wait-ready.mjs'),
    '127.0.0.1:9092',
    '1',
    '--quiet',
  ]);
  if (probe.status === 0) return;
  const up = spawnSync('bash', [path.join(root, 'infra/up.sh')], {
    env: { ...process.env, SANKSI_INFRA_OWNER: 'manual' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (up.status !== 0)
    throw new Error('messaging tests: infra/up.sh could not start Kafka on 127.0.0.1:9092');
};
