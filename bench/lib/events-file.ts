import { once } from 'node:events';
import fs from 'node:fs';
import { EVENT_TYPES } from '../../scripts/generate/model.js';
import { formatTimestamp } from '../../scripts/generate/time.js';
import { seeded } from './layered-dag.js';

/**
 * A fast, streaming writer of StreamPro playback events (the landing contract of `scripts/generate`, its
 * vocabulary and timestamp format) for files of millions of lines: the day generator builds a day in
 * memory, which does not scale to 10 M lines. Sessions follow the contract's order (session_start,
 * play_start, heartbeats, play_stop, session_end) and a small share of lines carries the generator's kinds
 * of dirt, so the validation, quarantine and de-duplication paths of `toParquet` do real work.
 */

export type EventsFormat = 'jsonl' | 'csv';

export const EVENTS_CSV_HEADER =
  'event_id,event_ts,user_id,device_id,session_id,event_type,video_id,watch_time';

export interface EventsFileStats {
  /** Data lines written (CSV header excluded). */
  readonly lines: number;
  readonly bytes: number;
  /** Planted exact duplicates of the previous line. */
  readonly duplicates: number;
  /** Planted invalid lines (malformed, missing field, bad timestamp). */
  readonly invalid: number;
}

const DAY_START = Date.parse('2025-09-09T00:00:00Z');
const CHUNK_CHARS = 1 << 20;

export async function writeEventsFile(
  file: string,
  lines: number,
  format: EventsFormat,
): Promise<EventsFileStats> {
  const random = seeded(7);
  const out = fs.createWriteStream(file);
  let chunk = format === 'csv' ? `${EVENTS_CSV_HEADER}\n` : '';
  let bytes = 0;
  let duplicates = 0;
  let invalid = 0;
  let written = 0;
  let eventSeq = 0;
  let session = 0;
  let step = 0;
  let heartbeats = 0;
  let ms = DAY_START;
  let user = '';
  let device = '';
  let video = '';
  let previous = '';
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  while (written < lines) {
    const roll = random();
    let line: string;
    // Only clean lines are repeated: a repeated invalid line is rejected, not dropped as a duplicate.
    if (roll < 0.001 && previous !== '') {
      line = previous;
      duplicates++;
    } else {
      if (step === 0) {
        session++;
        const u = 1 + Math.floor(random() * 140_000);
        user = `u250909-${u}`;
        device = `d250909-${u}-${Math.floor(random() * 2)}`;
        heartbeats = Math.floor(random() * 4);
        ms = DAY_START + Math.floor(random() * 86_000_000);
      }
      // 0 session_start, 1 play_start, 2 heartbeat (repeated), 3 play_stop, 4 session_end
      const kind = step < 2 ? step : step < 2 + heartbeats ? 2 : step === 2 + heartbeats ? 3 : 4;
      step = kind === 4 ? 0 : step + 1;
      if (kind === 1) video = `v${String(1 + Math.floor(random() * 400)).padStart(4, '0')}`;
      ms += 1000 + Math.floor(random() * 30_000);
      const watch = kind === 2 || kind === 3 ? Math.round(random() * 300 * 10) / 10 : null;
      const ev: EventFields = {
        id: `e250909-${++eventSeq}`,
        ts: formatTimestamp(ms),
        user,
        device,
        session: `s250909-${session}`,
        type: EVENT_TYPES[kind]!,
        video: kind === 0 || kind === 4 ? null : video,
        watch,
      };
      if (roll > 0.9995) {
        invalid++;
        line = dirty(ev, format, random());
        previous = '';
      } else {
        line = render(ev, format, random() < 0.03);
        previous = line;
      }
    }
    chunk += `${line}\n`;
    written++;
    if (chunk.length >= CHUNK_CHARS) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { lines, bytes, duplicates, invalid };
}

interface EventFields {
  readonly id: string;
  readonly ts: string;
  readonly user: string;
  readonly device: string;
  readonly session: string;
  readonly type: string;
  readonly video: string | null;
  readonly watch: number | null;
}

function render(e: EventFields, format: EventsFormat, extra: boolean): string {
  if (format === 'csv') {
    return `${e.id},${e.ts},${e.user},${e.device},${e.session},${e.type},${e.video ?? ''},${e.watch ?? ''}`;
  }
  // Unknown extra fields are legal in the contract; a few lines carry one, as in the generator's output.
  const tail = extra ? ',"network":"wifi"' : '';
  return (
    `{"event_id":"${e.id}","event_ts":"${e.ts}","user_id":"${e.user}","device_id":"${e.device}",` +
    `"session_id":"${e.session}","event_type":"${e.type}","video_id":${e.video === null ? 'null' : `"${e.video}"`},` +
    `"watch_time":${e.watch ?? 'null'}${tail}}`
  );
}

/** One of the generator's line dirt kinds: malformed line, missing required field, bad timestamp. */
function dirty(e: EventFields, format: EventsFormat, r: number): string {
  if (r < 1 / 3) {
    const text = render(e, format, false);
    return format === 'csv' ? text.split(',').slice(0, 5).join(',') : text.slice(0, text.length - 7);
  }
  if (r < 2 / 3) return render({ ...e, user: '' }, format, false).replace('"user_id":"",', '');
  return render({ ...e, ts: 'not-a-timestamp' }, format, false);
}
