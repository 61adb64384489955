// Waits until a Kafka broker answers its API (metadata through kafkajs, the client the project
// uses), or fails after a timeout. Usage: node wait-ready.mjs <host:port> [timeoutSeconds] [--quiet]
// Exit 0 when ready, 1 on timeout.
import { Kafka, logLevel } from 'kafkajs';

const [broker = '127.0.0.1:9092', timeoutArg = '90'] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'));
const quiet = process.argv.includes('--quiet');
const deadline = Date.now() + Number(timeoutArg) * 1000;
const kafka = new Kafka({
  clientId: 'sanksi-infra-wait-ready',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 3000,
  retry: { retries: 0 },
});

let lastError = 'no attempt';
for (;;) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    if (cluster.brokers.length > 0) process.exit(0);
    lastError = 'no broker registered yet';
  } catch (e) {
    lastError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    await admin.disconnect().catch(() => undefined);
  }
  if (Date.now() >= deadline) break;
  await new Promise((r) => setTimeout(r, 500));
}
if (!quiet) console.error(`kafka: ${broker} did not answer before the timeout (last error: ${lastError})`);
process.exit(1);
