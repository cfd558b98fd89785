/**
 * Simulates one cohort: the users who sign up on a date, their devices, and their sessions over
 * the following days. The planted signals are allocated as exact counts (not coin flips) so that
 * the answers on a cohort are known in advance, whatever the seed.
 */
import type {
  Cohort,
  DeviceOs,
  DeviceRecord,
  EventRecord,
  EventType,
  GeneratorOptions,
  Genre,
  Plan,
  UserRecord,
  VideoRecord,
} from './model.js';
import { GENRES } from './model.js';
import { Rng } from './prng.js';
import { compactDate, HOUR_MS, parseDate, SECOND_MS } from './time.js';

export interface CohortActivity {
  readonly users: readonly UserRecord[];
  readonly devices: readonly DeviceRecord[];
  /** Sorted by time; ids are assigned in that order. */
  readonly events: readonly EventRecord[];
}

const OS_WEIGHTS: readonly (readonly [DeviceOs, number])[] = [
  ['iOS', 35],
  ['Android', 40],
  ['Web', 15],
  ['TV', 10],
];
const APP_VERSIONS = ['1.9.4', '2.0.0', '2.0.1', '2.1.0', '3.1.0'] as const;
const OS_DETAILS: Readonly<Record<DeviceOs, { versions: readonly string[]; models: readonly string[] }>> = {
  iOS: {
    versions: ['17.6', '18.0', '18.1'],
    models: ['iPhone 14', 'iPhone 15', 'iPhone 16 Pro', 'iPad Air'],
  },
  Android: { versions: ['13', '14', '15'], models: ['Pixel 8', 'Galaxy S23', 'Galaxy A54', 'Redmi Note 13'] },
  Web: { versions: ['Chrome 128', 'Firefox 130', 'Safari 18'], models: ['Browser'] },
  TV: { versions: ['tvOS 18', 'Tizen 8', 'webOS 24'], models: ['Apple TV 4K', 'Samsung QLED', 'LG C3'] },
};
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'BR', 'IN', 'JP', 'ES', 'NL', 'MX'] as const;
const PLAN_WEIGHTS: readonly (readonly [Plan, number])[] = [
  ['free', 60],
  ['basic', 25],
  ['premium', 15],
];

/** Watch time is split into heartbeats every this many seconds (coarse, to keep the sample small). */
const HEARTBEAT_S = 600;

interface DraftEvent {
  readonly ms: number;
  readonly seq: number;
  readonly sessionId: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly eventType: EventType;
  readonly videoId: string | null;
  readonly watchTime: number | null;
}

interface Play {
  readonly video: VideoRecord;
  readonly watchS: number;
}

/** Code-unit order: localeCompare would tie the output bytes to the machine's ICU locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameCohort(device: DeviceRecord, cohort: Cohort): boolean {
  return device.deviceOs === cohort.deviceOs && device.appVersion === cohort.appVersion;
}

/** Splits `total` into counts proportional to `weights` (largest remainder), summing exactly to total. */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (total * w) / sum);
  const counts = raw.map(Math.floor);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < total; k++) counts[order[k % order.length]![1]]! += 1;
  return counts;
}

function makeDevice(rng: Rng, options: GeneratorOptions, id: string, userId: string): DeviceRecord {
  const { abnormalCohort, abnormalShare } = options.signals;
  let os: DeviceOs = abnormalCohort.deviceOs;
  let appVersion = abnormalCohort.appVersion;
  if (!rng.chance(abnormalShare)) {
    // Devices outside the planted share never land in the abnormal cohort, so its size is controlled.
    do {
      os = rng.weighted(OS_WEIGHTS);
      appVersion = rng.pick(APP_VERSIONS);
    } while (os === abnormalCohort.deviceOs && appVersion === abnormalCohort.appVersion);
  }
  const details = OS_DETAILS[os];
  return {
    deviceId: id,
    userId,
    deviceOs: os,
    osVersion: rng.pick(details.versions),
    appVersion,
    model: rng.pick(details.models),
  };
}

export function simulateCohort(
  date: string,
  options: GeneratorOptions,
  videos: readonly VideoRecord[],
): CohortActivity {
  const dayMs = parseDate(date)!;
  const cd = compactDate(date);
  const root = Rng.fromSeed(options.seed).fork(`cohort/${date}`);
  const { signals } = options;
  const width = Math.max(3, String(options.usersPerDay).length);

  const userRng = root.fork('users');
  const signups = Array.from(
    { length: options.usersPerDay },
    () => dayMs + userRng.int(0, 86_399) * SECOND_MS,
  );
  signups.sort((a, b) => a - b);
  const users: UserRecord[] = signups.map((signupMs, i) => {
    const userId = `u${cd}-${String(i + 1).padStart(width, '0')}`;
    return {
      userId,
      signupMs,
      country: userRng.chance(0.06) ? null : userRng.pick(COUNTRIES),
      plan: userRng.weighted(PLAN_WEIGHTS),
      email: `user.${cd}.${String(i + 1).padStart(width, '0')}@example.com`,
    };
  });

  const deviceRng = root.fork('devices');
  const devices: DeviceRecord[] = [];
  const userDevices = users.map((user) => {
    const own = [
      makeDevice(deviceRng, options, `d${cd}-${String(devices.length + 1).padStart(4, '0')}`, user.userId),
    ];
    devices.push(own[0]!);
    if (deviceRng.chance(0.15)) {
      own.push(
        makeDevice(deviceRng, options, `d${cd}-${String(devices.length + 1).padStart(4, '0')}`, user.userId),
      );
      devices.push(own[1]!);
    }
    return own;
  });

  const rng = root.fork('sessions');
  const dropOffProbability = (device: DeviceRecord): number =>
    sameCohort(device, signals.abnormalCohort) ? signals.abnormalDropOff : signals.baseDropOff;

  const active = users.map((_, i) => i).filter(() => rng.chance(0.9));

  // Exact first-session genre counts: topGenre gets its share, the others split the rest evenly.
  const others = rng.shuffle(GENRES.filter((g) => g !== signals.topGenre));
  const topCount = Math.round(active.length * signals.topGenreShare);
  const otherCounts = apportion(
    active.length - topCount,
    others.map(() => 1),
  );
  const genreSlots: Genre[] = [signals.topGenre, ...others].flatMap((g, k) =>
    Array<Genre>(k === 0 ? topCount : otherCounts[k - 1]!).fill(g),
  );
  const genreOf = new Map<number, Genre>();
  const retained = new Set<number>();
  const shuffledActive = rng.shuffle(active);
  shuffledActive.forEach((u, k) => {
    genreOf.set(u, genreSlots[k]!);
  });
  for (const genre of GENRES) {
    const members = shuffledActive.filter((u) => genreOf.get(u) === genre);
    const jitter = (rng.next() - 0.5) * 0.2;
    const rate =
      genre === signals.topGenre
        ? signals.topGenreRetention
        : Math.min(signals.baseRetention + jitter, signals.topGenreRetention - 0.15);
    for (const u of members.slice(0, Math.round(members.length * Math.max(0, rate)))) retained.add(u);
  }

  const firstDrops = new Set(active.filter((u) => rng.chance(dropOffProbability(userDevices[u]![0]!))));
  const reachCount = Math.round(users.length * signals.q1ReachRate);
  const reachers = new Set(rng.shuffle(active.filter((u) => !firstDrops.has(u))).slice(0, reachCount));

  const drafts: DraftEvent[] = [];
  let sessionSeq = 0;
  const emitSession = (u: number, device: DeviceRecord, start: number, plays: readonly Play[]): void => {
    const sessionId = `s${cd}-${String(++sessionSeq).padStart(4, '0')}`;
    const base = { sessionId, userId: users[u]!.userId, deviceId: device.deviceId };
    let seq = 0;
    let t = start;
    const push = (eventType: EventType, videoId: string | null, watchTime: number | null): void => {
      drafts.push({ ...base, ms: t, seq: seq++, eventType, videoId, watchTime });
    };
    push('session_start', null, null);
    for (const { video, watchS } of plays) {
      t += rng.int(3, 20) * SECOND_MS;
      push('play_start', video.videoId, null);
      let left = watchS;
      while (left > HEARTBEAT_S) {
        t += HEARTBEAT_S * SECOND_MS;
        left -= HEARTBEAT_S;
        push('heartbeat', video.videoId, HEARTBEAT_S);
      }
      t += left * SECOND_MS;
      push('play_stop', video.videoId, left);
    }
    t += rng.int(2, 40) * SECOND_MS;
    // Apps get killed: some sessions never send session_end.
    if (rng.chance(0.9)) push('session_end', null, null);
  };
  // Falls back to the whole catalogue for dates before the titles were published.
  const availableAt = (ms: number, genre?: Genre): VideoRecord[] => {
    const ofGenre = videos.filter((v) => genre === undefined || v.genre === genre);
    const published = ofGenre.filter((v) => v.publishedMs <= ms);
    return published.length > 0 ? published : ofGenre;
  };
  const laterSession = (u: number, start: number): void => {
    const own = userDevices[u]!;
    const device = own.length > 1 && rng.chance(0.3) ? own[1]! : own[0]!;
    const pool = availableAt(start);
    if (rng.chance(dropOffProbability(device))) {
      const plays = rng.chance(0.5) ? [] : [{ video: rng.pick(pool), watchS: rng.int(1, 9) }];
      emitSession(u, device, start, plays);
      return;
    }
    const plays = Array.from({ length: rng.chance(0.15) ? 2 : 1 }, () => {
      const video = rng.pick(pool);
      return { video, watchS: Math.min(video.durationS, rng.int(60, 1200)) };
    });
    emitSession(u, device, start, plays);
  };

  for (const u of active) {
    const first = users[u]!.signupMs + rng.int(20, 900) * SECOND_MS;
    const genre = genreOf.get(u)!;
    const video = rng.pick(availableAt(first, genre));
    const watchS = reachers.has(u) ? rng.int(30, 240) : firstDrops.has(u) ? rng.int(1, 9) : rng.int(10, 29);
    emitSession(u, userDevices[u]![0]!, first, [{ video, watchS }]);
    if (retained.has(u)) {
      const second = first + rng.int(1 * 60, 70 * 60) * 60 * SECOND_MS;
      laterSession(u, second);
      if (rng.chance(0.15)) laterSession(u, second + rng.int(10, 60) * HOUR_MS);
    } else if (rng.chance(0.25)) {
      // Strictly beyond the 72 h window, so retention is exactly what was allocated.
      laterSession(u, first + rng.int(76 * 60, 140 * 60) * 60 * SECOND_MS);
    }
  }

  drafts.sort((a, b) => a.ms - b.ms || compareText(a.sessionId, b.sessionId) || a.seq - b.seq);
  const events: EventRecord[] = drafts.map((d, i) => ({
    eventId: `e${cd}-${String(i + 1).padStart(5, '0')}`,
    eventMs: d.ms,
    userId: d.userId,
    deviceId: d.deviceId,
    sessionId: d.sessionId,
    eventType: d.eventType,
    videoId: d.videoId,
    watchTime: d.watchTime,
  }));
  return { users, devices, events };
}
