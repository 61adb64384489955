import { ConfigResourceTypes, ConfigSource, type Kafka } from 'kafkajs';
import { deleteTestTopics, testBrokers, uniqueTopic } from './__fixtures__/kafka-test.helpers';
import { createKafka, ensureTopics } from './kafka.client';
import { KafkaTopicSetupFailed } from './messaging.errors';
import { projectTopics, type TopicSpec } from './topics.constants';
import { trafficTopics } from './traffic-observation.message';

jest.setTimeout(120_000);

/** The project's topics under names of this run's own: the settings are the project's, the broker shared. */
function renamed(specs: TopicSpec[]): TopicSpec[] {
  return specs.map((spec) => ({ ...spec, topic: uniqueTopic(spec.topic.replace(/\./g, '-')) }));
}

describe('topics created on the broker with their configured settings', () => {
  let kafka: Kafka;

  beforeAll(() => {
    kafka = createKafka(testBrokers(), { clientId: 'topics-int-test' });
  });
  afterAll(() => deleteTestTopics(kafka));

  it('given replication factor 1 and min.insync.replicas 1 (what one broker allows), when ensureTopics creates the topics, then the broker reports exactly those settings on each', async () => {
    // given
    const layout = { replicationFactor: 1, minInsyncReplicas: 1 };
    const specs = renamed([...projectTopics(layout), ...trafficTopics(layout)]);

    // when
    const report = await ensureTopics(kafka, specs);

    // then
    expect(report.created).toEqual(specs.map((s) => s.topic));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      const layoutOnBroker = specs.map((spec) => {
        const partitions = metadata.topics.find((t) => t.name === spec.topic)?.partitions ?? [];
        return {
          topic: spec.topic,
          partitions: partitions.length,
          replicas: [...new Set(partitions.map((p) => p.replicas.length))],
        };
      });
      expect(layoutOnBroker).toEqual(
        specs.map((spec) => ({ topic: spec.topic, partitions: spec.numPartitions, replicas: [1] })),
      );

      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: specs.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.topic })),
      });
      for (const spec of specs) {
        const entries = described.resources.find((r) => r.resourceName === spec.topic)?.configEntries ?? [];
        // Set on the topic itself (TOPIC_CONFIG), not inherited from the broker's default of the same value.
        const onTopic = entries
          .filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG)
          .map((e) => ({ name: e.configName, value: e.configValue }));
        expect({ topic: spec.topic, config: onTopic }).toEqual({
          topic: spec.topic,
          config: expect.arrayContaining(spec.configEntries ?? []),
        });
        expect(onTopic).toContainEqual({ name: 'min.insync.replicas', value: '1' });
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('given a replication factor the one broker cannot meet, when ensureTopics runs, then it fails naming the topic and creates nothing', async () => {
    // given: the compose file's 3 replicas against the local single broker
    const specs = renamed(projectTopics({ replicationFactor: 3, minInsyncReplicas: 2 })).slice(0, 1);

    // when
    const failure = ensureTopics(kafka, specs);

    // then
    await expect(failure).rejects.toBeInstanceOf(KafkaTopicSetupFailed);
    await expect(failure).rejects.toThrow(specs[0].topic);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(specs[0].topic);
    } finally {
      await admin.disconnect();
    }
  });
});
