/**
 * The pure core: one ingestion date -> clean records, landing file texts and the dirt manifest.
 * No I/O here; cli.ts writes the files.
 */
import { simulateCohort } from './activity.js';
import { catalogueAsOf } from './catalogue.js';
import {
  DEFAULT_OPTIONS,
  type DirtEntry,
  type EventRecord,
  type GeneratedDay,
  type GeneratorOptions,
} from './model.js';
import { Rng } from './prng.js';
import { csvRow, deviceRow, eventLine, eventObject, FileBuilder, userRow, videoRow } from './render.js';
import { addDays, compactDate, formatTimestamp, parseDate } from './time.js';

const BAD_TIMESTAMPS = [
  'not-a-timestamp',
  '2025-13-01T00:00:00Z',
  '2025-09-09T25:61:00Z',
  '31/09/2025 10:00',
];
const UNKNOWN_TYPES = ['ad_impression', 'seek', 'buffering'];
const REQUIRED_EVENT_FIELDS = ['event_id', 'event_ts', 'user_id', 'device_id', 'session_id', 'event_type'];
/** Share of the previous cohort's already-exported events that are delivered again, late. */
const LATE_SHARE = 0.03;

export interface GenerateDayInput {
  readonly date: string;
  readonly options?: GeneratorOptions;
  /**
   * Whether the previous date was exported too. Its late, re-delivered events then appear in this
   * day's file; the first day of a run has no earlier export to re-deliver from.
   */
  readonly previousDayExported?: boolean;
}

export function fileNames(date: string): { users: string; videos: string; devices: string; events: string } {
  return {
    users: `users_${date}.csv`,
    videos: `videos_${date}.csv`,
    devices: `devices_${date}.csv`,
    events: `events_${date}.jsonl`,
  };
}

export function generateDay(input: GenerateDayInput): GeneratedDay {
  const { date, options = DEFAULT_OPTIONS, previousDayExported = false } = input;
  const dayMs = parseDate(date);
  if (dayMs === null) throw new RangeError(`generateDay: invalid date "${date}" (expected YYYY-MM-DD)`);
  const cd = compactDate(date);
  const names = fileNames(date);
  const rng = Rng.fromSeed(options.seed).fork(`render/${date}`);

  const videos = catalogueAsOf(options.seed, date);
  const cohort = simulateCohort(date, options, videos);

  const users = new FileBuilder(names.users, 'user_id,signup_ts,country,plan,email');
  for (const user of cohort.users) users.add(userRow(rng, user));
  const dirtyUser = (k: number) => cohort.users[k % cohort.users.length]!;
  for (let k = rng.int(1, 2); k > 0; k--) users.insertDuplicate(rng, 'duplicate_row');
  {
    const u = dirtyUser(rng.int(0, 999));
    const ts = formatTimestamp(u.signupMs);
    users.insertAnywhere(
      rng,
      csvRow([`u${cd}-x1`, ts, 'US', 'free', u.email, 'extra']),
      'wrong_column_count',
    );
    users.insertAnywhere(rng, csvRow(['', ts, 'FR', 'basic', 'user.x2@example.com']), 'missing_field');
    const bad = rng.pick(BAD_TIMESTAMPS);
    users.insertAnywhere(
      rng,
      csvRow([`u${cd}-x3`, bad, 'de', 'Premium', 'user.x3@example.com']),
      'bad_timestamp',
    );
  }

  const catalogue = new FileBuilder(names.videos, 'video_id,title,genre,duration_s,published_at');
  for (const video of videos) catalogue.add(videoRow(rng, video));
  // An unquoted comma in a title: the classic hand-edited CSV mistake.
  catalogue.insertAnywhere(rng, `v9${cd},Hello, World,Comedy,600,2025-01-01T00:00:00Z`, 'wrong_column_count');
  catalogue.insertAnywhere(rng, '', 'blank_line');

  const devices = new FileBuilder(names.devices, 'device_id,user_id,device_os,os_version,app_version,model');
  for (const device of cohort.devices) devices.add(deviceRow(rng, device));
  devices.insertAnywhere(
    rng,
    csvRow([`d${cd}-x1`, dirtyUser(3).userId, 'Android', '14', '2.0.0']),
    'wrong_column_count',
  );

  const late = previousDayExported ? lateEvents(addDays(date, -1), options, dayMs) : [];
  const dayEvents: EventRecord[] = [...cohort.events];
  const events = new FileBuilder(names.events);
  for (const event of cohort.events) events.add(eventLine(rng, event));
  const lateRng = rng.fork('late');
  for (const event of late) {
    events.insertAnywhere(lateRng, eventLine(lateRng, event));
    dayEvents.push(event);
  }
  plantEventDirt(rng, events, cohort.events, cd);

  const builders = [users, catalogue, devices, events];
  // Every day carries at least one BOM (CSV only) and one CRLF file.
  const csv = builders.slice(0, 3);
  for (const b of csv) b.bom = rng.chance(0.35);
  if (!csv.some((b) => b.bom)) rng.pick(csv).bom = true;
  for (const b of builders) b.crlf = rng.chance(0.25);
  if (!builders.some((b) => b.crlf)) rng.pick(builders).crlf = true;

  const files: Record<string, string> = {};
  const manifest: DirtEntry[] = [];
  for (const b of builders) {
    const built = b.build();
    files[b.name] = built.text;
    manifest.push(...built.manifest);
  }
  return {
    date,
    records: { ingestionDate: date, users: cohort.users, videos, devices: cohort.devices, events: dayEvents },
    files,
    manifest,
  };
}

/** Events of the previous cohort that happened before `beforeMs` and are delivered again. */
function lateEvents(previousDate: string, options: GeneratorOptions, beforeMs: number): EventRecord[] {
  const previous = simulateCohort(previousDate, options, catalogueAsOf(options.seed, previousDate));
  const rng = Rng.fromSeed(options.seed).fork(`late/${previousDate}`);
  return previous.events.filter((e) => e.eventMs < beforeMs && rng.chance(LATE_SHARE));
}

function plantEventDirt(rng: Rng, events: FileBuilder, clean: readonly EventRecord[], cd: string): void {
  let seq = 0;
  const derived = (filter: (e: EventRecord) => boolean = () => true) => {
    const candidates = clean.filter(filter);
    const base = rng.pick(candidates.length > 0 ? candidates : clean);
    const event = { ...base, eventId: `e${cd}-x${++seq}` };
    return eventObject(event, formatTimestamp(event.eventMs));
  };
  const times = () => rng.int(2, 4);
  for (let k = times() + 1; k > 0; k--) events.insertDuplicate(rng, 'duplicate_event');
  for (let k = times(); k > 0; k--) {
    const text = JSON.stringify(derived());
    events.insertAnywhere(rng, text.slice(0, rng.int(10, text.length - 2)), 'malformed_json');
  }
  for (let k = times(); k > 0; k--) {
    const obj = derived();
    delete obj[rng.pick(REQUIRED_EVENT_FIELDS)];
    events.insertAnywhere(rng, JSON.stringify(obj), 'missing_field');
  }
  for (let k = times(); k > 0; k--) {
    const obj = derived();
    obj.event_ts = rng.pick(BAD_TIMESTAMPS);
    events.insertAnywhere(rng, JSON.stringify(obj), 'bad_timestamp');
  }
  for (let k = times(); k > 0; k--) {
    const obj = derived((e) => e.watchTime !== null);
    obj.watch_time = -rng.int(1, 300);
    events.insertAnywhere(rng, JSON.stringify(obj), 'negative_watch_time');
  }
  for (let k = times(); k > 0; k--) {
    const obj = derived();
    obj.event_type = rng.pick(UNKNOWN_TYPES);
    events.insertAnywhere(rng, JSON.stringify(obj), 'unknown_event_type');
  }
  for (let k = rng.int(1, 3); k > 0; k--) events.insertAnywhere(rng, '', 'blank_line');
}

/** Every date from start to end inclusive; each day after the first re-delivers some late events. */
export function generateDays(
  start: string,
  end: string,
  options: GeneratorOptions = DEFAULT_OPTIONS,
): GeneratedDay[] {
  const from = parseDate(start);
  const to = parseDate(end);
  if (from === null)
    throw new RangeError(`generateDays: invalid start date "${start}" (expected YYYY-MM-DD)`);
  if (to === null) throw new RangeError(`generateDays: invalid end date "${end}" (expected YYYY-MM-DD)`);
  if (to < from) throw new RangeError(`generateDays: end ${end} is before start ${start}`);
  const days: GeneratedDay[] = [];
  for (let date = start; date <= end; date = addDays(date, 1)) {
    days.push(generateDay({ date, options, previousDayExported: date !== start }));
  }
  return days;
}
