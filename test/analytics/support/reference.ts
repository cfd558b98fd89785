/**
 * The three answers computed independently of the SQL: plain TypeScript over the generator's clean
 * records, following the definitions of docs/analytics.md line by line.
 */
import type {
  DayRecords,
  DeviceRecord,
  EventRecord,
  UserRecord,
  VideoRecord,
} from '../../../scripts/generate/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface ReferenceAnswers {
  readonly q1: { newUsers: number; reached30s: number };
  readonly q2: { genres: Map<string, { users: number; retained: number }>; top: string | null };
  readonly q3: {
    cohorts: Map<string, { sessions: number; dropOffs: number; z: number }>;
    abnormal: string[];
  };
}

interface Session {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly start: number;
  readonly watch: number;
  readonly events: EventRecord[];
}

/** Latest partition wins for dimension rows. */
function latest<T>(
  days: readonly DayRecords[],
  pick: (d: DayRecords) => readonly T[],
  key: (t: T) => string,
): Map<string, T> {
  const out = new Map<string, T>();
  for (const day of [...days].sort((a, b) => (a.ingestionDate < b.ingestionDate ? -1 : 1))) {
    for (const row of pick(day)) out.set(key(row), row);
  }
  return out;
}

export function referenceAnswers(days: readonly DayRecords[], reportDate: string): ReferenceAnswers {
  const users = latest<UserRecord>(
    days,
    (d) => d.users,
    (u) => u.userId,
  );
  const videos = latest<VideoRecord>(
    days,
    (d) => d.videos,
    (v) => v.videoId,
  );
  const devices = latest<DeviceRecord>(
    days,
    (d) => d.devices,
    (x) => x.deviceId,
  );
  const events = new Map<string, EventRecord>();
  for (const day of days) for (const e of day.events) if (!events.has(e.eventId)) events.set(e.eventId, e);

  const grouped = new Map<string, EventRecord[]>();
  for (const e of events.values()) grouped.set(e.sessionId, [...(grouped.get(e.sessionId) ?? []), e]);
  const sessions: Session[] = [...grouped].map(([id, list]) => {
    const first = list.reduce((a, b) => (b.eventMs < a.eventMs ? b : a));
    const watch = list.reduce((sum, e) => sum + (e.watchTime ?? 0), 0);
    return { id, userId: first.userId, deviceId: first.deviceId, start: first.eventMs, watch, events: list };
  });

  const dayStart = Date.parse(`${reportDate}T00:00:00Z`);
  const newUsers = [...users.values()].filter((u) => u.signupMs >= dayStart && u.signupMs < dayStart + DAY);
  const firstSession = new Map<string, Session>();
  for (const u of newUsers) {
    const own = sessions
      .filter((s) => s.userId === u.userId && s.start >= u.signupMs)
      .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
    if (own[0]) firstSession.set(u.userId, own[0]);
  }
  const reached30s = [...firstSession.values()].filter((s) => s.watch >= 30).length;

  const genres = new Map<string, { users: number; retained: number }>();
  for (const [userId, first] of firstSession) {
    const perGenre = new Map<string, number>();
    for (const e of first.events) {
      const video = e.videoId === null ? undefined : videos.get(e.videoId);
      // Videos without a genre are ignored (NULL in trusted).
      if (e.watchTime === null || video === undefined || video.genre === null) continue;
      perGenre.set(video.genre, (perGenre.get(video.genre) ?? 0) + e.watchTime);
    }
    const ranked = [...perGenre].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (!ranked[0]) continue;
    const retained = sessions.some(
      (s) =>
        s.userId === userId &&
        s.id !== first.id &&
        s.start > first.start &&
        s.start <= first.start + 72 * HOUR,
    );
    const g = genres.get(ranked[0][0]) ?? { users: 0, retained: 0 };
    genres.set(ranked[0][0], { users: g.users + 1, retained: g.retained + (retained ? 1 : 0) });
  }
  const eligible = [...genres].filter(([, g]) => g.users >= 5);
  eligible.sort((a, b) => b[1].retained / b[1].users - a[1].retained / a[1].users || b[1].users - a[1].users);
  const top = eligible[0]?.[0] ?? null;

  const counts = new Map<string, { sessions: number; dropOffs: number }>();
  for (const s of sessions) {
    const device = devices.get(s.deviceId);
    if (device === undefined || s.start < dayStart || s.start >= dayStart + 4 * DAY) continue;
    const key = `${device.deviceOs} ${device.appVersion}`;
    const c = counts.get(key) ?? { sessions: 0, dropOffs: 0 };
    counts.set(key, { sessions: c.sessions + 1, dropOffs: c.dropOffs + (s.watch < 10 ? 1 : 0) });
  }
  let n = 0;
  let x = 0;
  for (const c of counts.values()) {
    n += c.sessions;
    x += c.dropOffs;
  }
  const cohorts = new Map<string, { sessions: number; dropOffs: number; z: number }>();
  for (const [key, c] of counts) {
    const restN = n - c.sessions;
    const restX = x - c.dropOffs;
    const p = x / n;
    const se = Math.sqrt(p * (1 - p) * (1 / c.sessions + 1 / restN));
    const z = restN === 0 || se === 0 ? 0 : (c.dropOffs / c.sessions - restX / restN) / se;
    cohorts.set(key, { ...c, z });
  }
  const abnormal = [...cohorts]
    .filter(([, c]) => c.sessions >= 30 && c.z >= 3)
    .map(([k]) => k)
    .sort();
  return { q1: { newUsers: newUsers.length, reached30s }, q2: { genres, top }, q3: { cohorts, abnormal } };
}
