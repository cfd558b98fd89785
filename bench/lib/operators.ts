/** The operator pieces the ETL and pipeline benchmarks measure, imported in one place. */
export { LocalStore, toParquet } from '@streampro/operators';
export { eventsSchema } from '../../dags/lib/streampro/schemas.js';
