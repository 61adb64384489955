export {
  parseTrafficLines,
  splitCsvLine,
  TrafficCsvHeaderInvalid,
  trafficFormatOf,
  validateTrafficRow,
  type TrafficFormat,
  type TrafficRowDefaults,
  type TrafficRowResult,
} from './traffic-rows.parser';
export {
  conflictingFigureReason,
  TrafficIngestService,
  type TrafficIngestOptions,
  type TrafficIngestReport,
  type TrafficRowRejection,
} from './traffic-ingest.service';
export {
  discoveredCaseId,
  DiscoveryCandidateNotFound,
  DiscoveryDomainInvalid,
  discoveryKey,
  openCaseFromDiscovery,
  type OpenFromDiscovery,
} from './traffic-discovery.service';
export {
  TRAFFIC_DEAD_LETTER_REASONS,
  TrafficObservationConsumer,
  trafficMessageRow,
  type TrafficConsumerOptions,
  type TrafficConsumerStatus,
  type TrafficDeadLetterReason,
} from './traffic-observation.consumer';
export { replayTrafficDeadLetters, type TrafficReplayOutcome, type TrafficReplayResult } from './traffic-dlq';
