/** Hand-built case histories for tests and benchmarks (no machine is run): `@sanksi/read-models/testing`. */
export { GlobalLog, CaseHistory } from './case-history.fixture';
