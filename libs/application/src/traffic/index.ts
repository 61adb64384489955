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
  TrafficObservationConsumer,
  type TrafficConsumerOptions,
  type TrafficConsumerStatus,
} from './traffic-observation.consumer';
