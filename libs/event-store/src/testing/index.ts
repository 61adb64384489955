/** The contract suite every event-store adapter passes, for adapters' own specs: `@sanksi/event-store/testing`. */
export {
  describeEventStoreContract,
  testEvent,
  type EventStoreContractHarness,
} from './event-store.contract';
