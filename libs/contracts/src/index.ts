export {
  EVENT_CONTRACT_VERSION,
  eventBodySchema,
  eventJsonSchema,
  eventJsonSchemas,
  eventSchemaFileName,
} from './events/event-json-schemas';
export * as CommandBodies from './api/command-bodies';
export { TrafficObservedMessageBody, trafficJsonSchemas } from './events/traffic-json-schemas';
