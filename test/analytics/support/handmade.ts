/**
 * Small trusted partitions written by hand, for rules that need exact counts: each user signs up on
 * the report date, has one first session watching the listed videos, and optionally a second
 * session a day later (retained).
 */
import type {
  DayRecords,
  DeviceOs,
  DeviceRecord,
  EventRecord,
  Genre,
  UserRecord,
  VideoRecord,
} from '../../../scripts/generate/index.js';

export interface HandUser {
  /** Watch time per video genre in the first session; null = a catalogue video without a genre. */
  readonly watches: readonly (readonly [Genre | null, number])[];
  readonly retained: boolean;
  /** @default ['iOS', '1.0.0'] */
  readonly device?: readonly [DeviceOs, string | null];
}

const MINUTE = 60_000;
const videoId = (genre: Genre | null): string => `v-${genre ?? 'none'}`;

/** `count` users alike: `retained` of them come back. */
export function alike(
  count: number,
  retained: number,
  watches: HandUser['watches'],
  device?: HandUser['device'],
): HandUser[] {
  return Array.from({ length: count }, (_, i) => ({
    watches,
    retained: i < retained,
    ...(device ? { device } : {}),
  }));
}

export function handmadeDay(date: string, users: readonly HandUser[]): DayRecords {
  const start = Date.parse(`${date}T08:00:00Z`);
  const genres = new Set<Genre | null>(users.flatMap((u) => u.watches.map(([g]) => g)));
  const videos: VideoRecord[] = [...genres].map((genre) => ({
    videoId: videoId(genre),
    title: `video ${genre ?? 'without genre'}`,
    // The trusted table holds NULL for an empty optional genre.
    genre: genre as Genre,
    durationS: 600,
    publishedMs: start - 86_400_000,
  }));
  const records: UserRecord[] = [];
  const devices: DeviceRecord[] = [];
  const events: EventRecord[] = [];
  users.forEach((u, i) => {
    const userId = `u${String(i).padStart(4, '0')}`;
    const deviceId = `d${String(i).padStart(4, '0')}`;
    const signupMs = start + i * MINUTE;
    const [deviceOs, appVersion] = u.device ?? ['iOS', '1.0.0'];
    records.push({ userId, signupMs, country: 'FR', plan: 'free', email: `${userId}@example.com` });
    devices.push({
      deviceId,
      userId,
      deviceOs,
      osVersion: '1',
      appVersion: appVersion as string,
      model: 'm',
    });
    const event = (sessionId: string, at: number, n: number, genre: Genre | null, watch: number): void => {
      events.push({
        eventId: `${sessionId}-e${n}`,
        eventMs: at,
        userId,
        deviceId,
        sessionId,
        eventType: 'heartbeat',
        videoId: videoId(genre),
        watchTime: watch,
      });
    };
    for (const [n, [genre, watch]] of u.watches.entries()) {
      event(`${userId}-s1`, signupMs + (n + 1) * 1000, n, genre, watch);
    }
    if (u.retained) event(`${userId}-s2`, signupMs + 86_400_000, 0, u.watches[0]?.[0] ?? null, 5);
  });
  return { ingestionDate: date, users: records, videos, devices, events };
}
