export { apportion, type CohortActivity, compareText, simulateCohort } from './activity.js';
export { catalogueAsOf } from './catalogue.js';
export { fileNames, type GenerateDayInput, generateDay, generateDays } from './generate.js';
export {
  type Cohort,
  type DayRecords,
  DEFAULT_OPTIONS,
  DEFAULT_SIGNALS,
  DEVICE_OSES,
  type DeviceOs,
  type DeviceRecord,
  type DirtEntry,
  EVENT_TYPES,
  type EventRecord,
  type EventType,
  FILE_DIRT_KINDS,
  type FileDirtKind,
  GENRES,
  type GeneratedDay,
  type GeneratorOptions,
  type Genre,
  LINE_DIRT_KINDS,
  type LineDirtKind,
  PLANS,
  type Plan,
  type Signals,
  type UserRecord,
  type VideoRecord,
} from './model.js';
export { Rng } from './prng.js';
export { addDays, formatDate, formatTimestamp, parseDate } from './time.js';
