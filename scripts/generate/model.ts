/**
 * The generator's vocabulary: the clean records it simulates (the truth a correct pipeline must
 * recover), the dirt it plants in the landing files, and the signals it plants for the analytics.
 */

export const PLANS = ['free', 'basic', 'premium'] as const;
export type Plan = (typeof PLANS)[number];

export const DEVICE_OSES = ['iOS', 'Android', 'Web', 'TV'] as const;
export type DeviceOs = (typeof DEVICE_OSES)[number];

export const GENRES = [
  'Action',
  'Comedy',
  'Documentary',
  'Drama',
  'Horror',
  'Kids',
  'Romance',
  'Sci-Fi',
] as const;
export type Genre = (typeof GENRES)[number];

export const EVENT_TYPES = ['session_start', 'play_start', 'heartbeat', 'play_stop', 'session_end'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Timestamps are epoch milliseconds (UTC); the landing files render them with varied offsets. */
export interface UserRecord {
  readonly userId: string;
  readonly signupMs: number;
  /** ISO 3166 alpha-2, upper-case; null when the landing row leaves it empty. */
  readonly country: string | null;
  readonly plan: Plan;
  readonly email: string;
}

export interface VideoRecord {
  readonly videoId: string;
  readonly title: string;
  readonly genre: Genre;
  readonly durationS: number;
  readonly publishedMs: number;
}

export interface DeviceRecord {
  readonly deviceId: string;
  readonly userId: string;
  readonly deviceOs: DeviceOs;
  readonly osVersion: string;
  readonly appVersion: string;
  readonly model: string;
}

export interface EventRecord {
  readonly eventId: string;
  readonly eventMs: number;
  readonly userId: string;
  readonly deviceId: string;
  readonly sessionId: string;
  readonly eventType: EventType;
  readonly videoId: string | null;
  /** Seconds watched since the previous play_start/heartbeat of the video; heartbeat and play_stop only. */
  readonly watchTime: number | null;
}

/** The clean content of one ingestion date's landing files (what the trusted layer must hold). */
export interface DayRecords {
  readonly ingestionDate: string;
  readonly users: readonly UserRecord[];
  readonly videos: readonly VideoRecord[];
  readonly devices: readonly DeviceRecord[];
  /** Every distinct clean event of the day's export, including re-delivered (late) copies. */
  readonly events: readonly EventRecord[];
}

/** Dirt that occupies one physical line (1-based, the CSV header is line 1). */
export const LINE_DIRT_KINDS = [
  'duplicate_event',
  'malformed_json',
  'missing_field',
  'bad_timestamp',
  'negative_watch_time',
  'unknown_event_type',
  'wrong_column_count',
  'duplicate_row',
  'blank_line',
] as const;
export type LineDirtKind = (typeof LINE_DIRT_KINDS)[number];

/** Dirt that is a property of a whole file. */
export const FILE_DIRT_KINDS = ['bom', 'crlf'] as const;
export type FileDirtKind = (typeof FILE_DIRT_KINDS)[number];

export type DirtEntry =
  | { readonly file: string; readonly kind: LineDirtKind; readonly line: number }
  | { readonly file: string; readonly kind: FileDirtKind; readonly line: null };

export interface GeneratedDay {
  readonly date: string;
  readonly records: DayRecords;
  /** File name -> exact text (UTF-8), in a stable order: users, videos, devices, events. */
  readonly files: Readonly<Record<string, string>>;
  readonly manifest: readonly DirtEntry[];
}

export interface Cohort {
  readonly deviceOs: DeviceOs;
  readonly appVersion: string;
}

/** Business signals planted in every cohort of new users. Defaults reproduce the StreamPro findings. */
export interface Signals {
  /** Share of a day's new users whose first session reaches 30 s of watch time. @default 0.01 */
  readonly q1ReachRate: number;
  /** First-session genre with the best 72 h retention. @default 'Comedy' */
  readonly topGenre: Genre;
  /** Share of users with a first session whose first-session genre is topGenre. @default 0.2 */
  readonly topGenreShare: number;
  /** 72 h retention of topGenre users. @default 0.75 */
  readonly topGenreRetention: number;
  /** Typical 72 h retention of the other genres (each jittered by up to 0.1). @default 0.4 */
  readonly baseRetention: number;
  /** Device cohort with abnormal drop-off. @default iOS 2.0.1 */
  readonly abnormalCohort: Cohort;
  /** Share of devices in the abnormal cohort. @default 0.35 */
  readonly abnormalShare: number;
  /** Probability that a session on the abnormal cohort drops off (< 10 s watched). @default 0.6 */
  readonly abnormalDropOff: number;
  /** Drop-off probability of every other session. @default 0.12 */
  readonly baseDropOff: number;
}

export const DEFAULT_SIGNALS: Signals = {
  q1ReachRate: 0.01,
  topGenre: 'Comedy',
  topGenreShare: 0.2,
  topGenreRetention: 0.75,
  baseRetention: 0.4,
  abnormalCohort: { deviceOs: 'iOS', appVersion: '2.0.1' },
  abnormalShare: 0.35,
  abnormalDropOff: 0.6,
  baseDropOff: 0.12,
};

export interface GeneratorOptions {
  /** @default 'streampro' */
  readonly seed: string;
  /** New users signing up on each ingestion date. @default 100 */
  readonly usersPerDay: number;
  readonly signals: Signals;
}

export const DEFAULT_OPTIONS: GeneratorOptions = {
  seed: 'streampro',
  usersPerDay: 100,
  signals: DEFAULT_SIGNALS,
};
