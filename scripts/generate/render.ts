/**
 * Renders clean records as landing files and plants dirt in them. Every planted line is recorded
 * with its kind and final 1-based line number, so tests can check that the pipeline quarantines it.
 */
import type {
  DeviceOs,
  DeviceRecord,
  DirtEntry,
  EventRecord,
  LineDirtKind,
  Plan,
  UserRecord,
  VideoRecord,
} from './model.js';
import type { Rng } from './prng.js';
import { formatTimestamp } from './time.js';

interface Line {
  readonly text: string;
  readonly dirt?: LineDirtKind;
  /** Clean data lines may be the source of an exact duplicate. */
  readonly duplicable?: boolean;
}

/** Lines of one file under construction; dirty lines are spliced in at random positions. */
export class FileBuilder {
  private readonly lines: Line[] = [];
  /** The header stays line 1: dirt is never spliced before it. */
  private readonly fixed: number;
  bom = false;
  crlf = false;

  constructor(
    readonly name: string,
    header?: string,
  ) {
    this.fixed = header === undefined ? 0 : 1;
    if (header !== undefined) this.lines.push({ text: header });
  }

  add(text: string): void {
    this.lines.push({ text, duplicable: true });
  }

  /** Inserts a line anywhere after the header. */
  insertAnywhere(rng: Rng, text: string, dirt?: LineDirtKind): void {
    const pos = rng.int(this.fixed, this.lines.length);
    this.lines.splice(pos, 0, dirt === undefined ? { text, duplicable: true } : { text, dirt });
  }

  /** Plants an exact copy of a clean line somewhere after it. */
  insertDuplicate(rng: Rng, kind: LineDirtKind): void {
    const sources = this.lines.flatMap((line, i) => (line.duplicable ? [i] : []));
    if (sources.length === 0) return;
    const src = rng.pick(sources);
    const pos = rng.int(src + 1, this.lines.length);
    this.lines.splice(pos, 0, { text: this.lines[src]!.text, dirt: kind });
  }

  build(): { text: string; manifest: DirtEntry[] } {
    const eol = this.crlf ? '\r\n' : '\n';
    const manifest: DirtEntry[] = [];
    if (this.bom) manifest.push({ file: this.name, kind: 'bom', line: null });
    if (this.crlf) manifest.push({ file: this.name, kind: 'crlf', line: null });
    this.lines.forEach((line, i) => {
      if (line.dirt !== undefined) manifest.push({ file: this.name, kind: line.dirt, line: i + 1 });
    });
    const body = this.lines.map((l) => l.text).join(eol) + eol;
    return { text: (this.bom ? '\uFEFF' : '') + body, manifest };
  }
}

/** RFC 4180: quote fields holding a comma, a quote or a line break; double the quotes inside. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRow(values: readonly string[]): string {
  return values.map(csvField).join(',');
}

/** Offsets (minutes) used to render timestamps; the instant stays the same. */
const OFFSETS = [0, 0, 120, -300, 330, -420, 60, 540, -180] as const;

function caseVariant(rng: Rng, value: string): string {
  return rng.weighted([
    [value, 6],
    [value.toLowerCase(), 2],
    [value.toUpperCase(), 1],
    [value.charAt(0).toUpperCase() + value.slice(1).toLowerCase(), 1],
  ]);
}

/** Case and whitespace variants of a canonical label (genre, device OS). */
function labelVariant(rng: Rng, value: string): string {
  const cased = caseVariant(rng, value);
  return rng.weighted([
    [cased, 8],
    [` ${cased}`, 1],
    [`${cased} `, 1],
  ]);
}

export function userRow(rng: Rng, user: UserRecord): string {
  return csvRow([
    user.userId,
    formatTimestamp(user.signupMs, rng.pick(OFFSETS)),
    user.country === null ? '' : caseVariant(rng, user.country),
    caseVariant(rng, user.plan satisfies Plan),
    user.email,
  ]);
}

export function videoRow(rng: Rng, video: VideoRecord): string {
  return csvRow([
    video.videoId,
    video.title,
    labelVariant(rng, video.genre),
    String(video.durationS),
    formatTimestamp(video.publishedMs, rng.pick(OFFSETS)),
  ]);
}

export function deviceRow(rng: Rng, device: DeviceRecord): string {
  return csvRow([
    device.deviceId,
    device.userId,
    labelVariant(rng, device.deviceOs satisfies DeviceOs),
    device.osVersion,
    device.appVersion,
    device.model,
  ]);
}

/** The JSON object of an event as exported, keys in contract order. */
export function eventObject(event: EventRecord, eventTs: string): Record<string, string | number | null> {
  return {
    event_id: event.eventId,
    event_ts: eventTs,
    user_id: event.userId,
    device_id: event.deviceId,
    session_id: event.sessionId,
    event_type: event.eventType,
    video_id: event.videoId,
    watch_time: event.watchTime,
  };
}

/** A clean event line; some carry an offset timestamp or unknown extra fields, both legal. */
export function eventLine(rng: Rng, event: EventRecord): string {
  const ts = formatTimestamp(event.eventMs, rng.chance(0.1) ? rng.pick(OFFSETS) : 0);
  const obj: Record<string, unknown> = eventObject(event, ts);
  if (rng.chance(0.03)) obj.network = rng.pick(['wifi', 'cellular', 'ethernet']);
  if (rng.chance(0.02))
    obj.client = { build: rng.int(400, 499), locale: rng.pick(['en-US', 'de-DE', 'pt-BR']) };
  return JSON.stringify(obj);
}
