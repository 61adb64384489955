import type { DeadLetter } from '../oss/oss-dlq';
import type { TrafficIngestService } from './traffic-ingest.service';
import type { TrafficDeadLetterReason } from './traffic-observation.consumer';
import { trafficMessageRow } from './traffic-observation.consumer';

/** What replaying one traffic dead letter did: a new fact, one already recorded, or still refused. */
export type TrafficReplayOutcome =
  | { kind: 'recorded'; domain: string; period: string; source: string }
  | { kind: 'duplicate'; domain: string; period: string; source: string }
  | { kind: 'dead-letter'; reason: TrafficDeadLetterReason; detail: string };

/** One replayed traffic dead letter and its outcome. */
export interface TrafficReplayResult {
  letter: DeadLetter;
  outcome: TrafficReplayOutcome;
}

/**
 * Records traffic dead letters again through the ingest the consumer uses, in DLQ order, one at a time
 * so each gets its own outcome: a letter fixed meanwhile (or recorded since) is recorded or a duplicate,
 * one still invalid or conflicting is reported, not dead-lettered again.
 */
export async function replayTrafficDeadLetters(
  runtime: { traffic: TrafficIngestService },
  letters: readonly DeadLetter[],
  topic: string,
): Promise<TrafficReplayResult[]> {
  const results: TrafficReplayResult[] = [];
  for (const letter of letters) {
    const row = trafficMessageRow(1, letter.value);
    if (!row.ok) {
      results.push({
        letter,
        outcome: { kind: 'dead-letter', reason: 'invalid-observation', detail: row.reason },
      });
      continue;
    }
    const report = await runtime.traffic.ingest([row], {
      actor: { id: `kafka:${topic}`, role: 'service' },
      correlationId: null,
    });
    const { domain, period, source } = row.observation;
    const conflict = report.rejections[0];
    results.push({
      letter,
      outcome: conflict
        ? { kind: 'dead-letter', reason: 'conflicting-figure', detail: conflict.reason }
        : { kind: report.recorded > 0 ? 'recorded' : 'duplicate', domain, period, source },
    });
  }
  return results;
}
