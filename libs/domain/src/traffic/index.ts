export * from './traffic-observation.events';
