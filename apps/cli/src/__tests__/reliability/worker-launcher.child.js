// The standalone worker (apps/worker/dist) as its own process, with this run's Kafka topics: the
// worker's entry point reads everything from the environment but the topic names, which only its
// options take, and the kill test must not share the default topics with other tests on the broker.
// Environment: the worker's own (SANKSI_*, DATABASE_URL, KAFKA_BROKERS) plus
// RELIABILITY_CASE_EVENTS_TOPIC, RELIABILITY_OSS_TOPIC and RELIABILITY_OSS_GROUP.
const path = require('node:path');
const { runWorkerProcess } = require(path.resolve(__dirname, '../../../../worker/dist/worker-process.js'));

const env = process.env;
// No health port unless the spec asks for one: a fixed default (3001) would collide with any other worker
// on the machine, and the kill test restarts its worker again and again.
runWorkerProcess({ WORKER_PORT: 'off', ...env }, process, {
  worker: {
    relay: {
      topic: env.RELIABILITY_CASE_EVENTS_TOPIC,
      pollIntervalMs: 50,
      backoff: { initialMs: 100, maxMs: 1000 },
    },
    oss: { topic: env.RELIABILITY_OSS_TOPIC, groupId: env.RELIABILITY_OSS_GROUP },
    scheduler: { intervalMs: 250 },
    restartBackoff: { initialMs: 100, maxMs: 1000 },
  },
})
  .then(({ exited }) => {
    process.stdout.write('worker started\n');
    return exited;
  })
  .then(() => process.exit(0))
  .catch((e) => {
    process.stderr.write(`worker launcher: ${e && e.stack ? e.stack : String(e)}\n`);
    process.exit(1);
  });
