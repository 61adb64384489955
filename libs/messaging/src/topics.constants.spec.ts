import {
  CASE_EVENTS_TOPIC,
  OSS_REGISTRATIONS_DLQ,
  OSS_REGISTRATIONS_TOPIC,
  projectTopics,
} from './topics.constants';

describe('project topics', () => {
  it('given no layout, when listed, then the three topics suit one broker', () => {
    const topics = projectTopics();

    expect(topics.map((t) => [t.topic, t.numPartitions, t.replicationFactor])).toEqual([
      [CASE_EVENTS_TOPIC, 6, 1],
      [OSS_REGISTRATIONS_TOPIC, 3, 1],
      [OSS_REGISTRATIONS_DLQ, 1, 1],
    ]);
    expect(topics[0].configEntries).toContainEqual({ name: 'min.insync.replicas', value: '1' });
  });

  it('given three replicas, when listed, then acks=all needs two in-sync copies', () => {
    const topics = projectTopics({ replicationFactor: 3, caseEventsPartitions: 12 });

    expect(topics[0]).toMatchObject({ numPartitions: 12, replicationFactor: 3 });
    expect(
      topics.every((t) => t.configEntries?.some((c) => c.name === 'min.insync.replicas' && c.value === '2')),
    ).toBe(true);
  });

  it('given a configured min.insync.replicas, when listed, then every topic has it, never above the replicas', () => {
    const three = projectTopics({ replicationFactor: 3, minInsyncReplicas: 3 });
    const capped = projectTopics({ replicationFactor: 1, minInsyncReplicas: 2 });

    const minIsr = (topics: typeof three) =>
      topics.map((t) => t.configEntries?.find((c) => c.name === 'min.insync.replicas')?.value);
    expect(minIsr(three)).toEqual(['3', '3', '3']);
    expect(minIsr(capped)).toEqual(['1', '1', '1']);
  });
});
