import { expect } from 'chai';
import {
  DEFAULT_OPTIONS,
  EVENT_TYPES,
  FILE_DIRT_KINDS,
  fileNames,
  type GeneratedDay,
  generateDay,
  generateDays,
  LINE_DIRT_KINDS,
  type LineDirtKind,
} from '../../scripts/generate/index.js';
import { parseCsvLine, physicalLines, tryParseJson } from './landing.js';

const REQUIRED = ['event_id', 'event_ts', 'user_id', 'device_id', 'session_id', 'event_type'];
const HEADERS = {
  users: 'user_id,signup_ts,country,plan,email',
  videos: 'video_id,title,genre,duration_s,published_at',
  devices: 'device_id,user_id,device_os,os_version,app_version,model',
};

/** Checks that the line really is what the manifest says it is. */
function assertDirt(kind: LineDirtKind, line: string, earlier: readonly string[], csv: boolean): void {
  const ctx = `${kind}: ${JSON.stringify(line)}`;
  const fields = csv ? parseCsvLine(line) : null;
  const obj = csv ? null : tryParseJson(line);
  switch (kind) {
    case 'blank_line':
      expect(line, ctx).to.equal('');
      break;
    case 'duplicate_row':
    case 'duplicate_event':
      expect(earlier, ctx).to.include(line);
      break;
    case 'wrong_column_count':
      expect(fields?.length, ctx).to.not.equal(earlier[0]!.split(',').length);
      break;
    case 'malformed_json':
      expect(obj, ctx).to.equal(null);
      break;
    case 'missing_field':
      if (csv) expect(fields?.[0], ctx).to.equal('');
      else
        expect(
          REQUIRED.some((k) => !(k in obj!)),
          ctx,
        ).to.equal(true);
      break;
    case 'bad_timestamp':
      expect(Number.isNaN(Date.parse(String(csv ? fields?.[1] : obj?.event_ts))), ctx).to.equal(true);
      break;
    case 'negative_watch_time':
      expect(obj?.watch_time, ctx).to.be.below(0);
      break;
    case 'unknown_event_type':
      expect(obj, ctx).to.not.equal(null);
      expect(EVENT_TYPES as readonly unknown[], ctx).to.not.include(obj!.event_type);
      break;
  }
}

function checkDay(day: GeneratedDay): void {
  const names = fileNames(day.date);
  const ids = {
    [names.users]: new Set(day.records.users.map((u) => u.userId)),
    [names.videos]: new Set(day.records.videos.map((v) => v.videoId)),
    [names.devices]: new Set(day.records.devices.map((d) => d.deviceId)),
  };
  for (const [name, text] of Object.entries(day.files)) {
    const entries = day.manifest.filter((e) => e.file === name);
    expect(text.startsWith('\uFEFF'), `${name} bom`).to.equal(entries.some((e) => e.kind === 'bom'));
    expect(text.includes('\r\n'), `${name} crlf`).to.equal(entries.some((e) => e.kind === 'crlf'));
    const lines = physicalLines(text);
    const dirty = new Map(entries.flatMap((e) => (e.line === null ? [] : [[e.line, e.kind] as const])));
    const csv = name.endsWith('.csv');
    const seen = new Set<string>();
    for (const [i, line] of lines.entries()) {
      const kind = dirty.get(i + 1);
      if (kind !== undefined) {
        assertDirt(kind, line, lines.slice(0, i), csv);
      } else if (csv && i === 0) {
        expect(line).to.equal(HEADERS[name.split('_')[0] as keyof typeof HEADERS]);
      } else if (csv) {
        // A line the manifest does not name must be a clean record the pipeline has to keep.
        const fields = parseCsvLine(line);
        expect(fields?.length, `${name}:${i + 1}`).to.equal(lines[0]!.split(',').length);
        expect(ids[name]!.has(fields![0]!), `${name}:${i + 1} id`).to.equal(true);
        seen.add(fields![0]!);
      } else {
        const obj = tryParseJson(line);
        expect(obj, `${name}:${i + 1}`).to.not.equal(null);
        expect(Number.isNaN(Date.parse(String(obj!.event_ts)))).to.equal(false);
        seen.add(String(obj!.event_id));
      }
    }
    const expected = csv ? ids[name]!.size : day.records.events.length;
    expect(seen.size, `${name} clean records`).to.equal(expected);
    expect(dirty.size / lines.length, `${name} dirt share`).to.be.below(0.08);
  }
}

describe('generator', () => {
  it('gives identical output for the same arguments and different output for another seed', () => {
    const a = generateDays('2025-09-09', '2025-09-10');
    const b = generateDays('2025-09-09', '2025-09-10');
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
    const c = generateDays('2025-09-09', '2025-09-10', { ...DEFAULT_OPTIONS, seed: 'another seed' });
    for (const [i, day] of a.entries()) {
      for (const name of Object.keys(day.files))
        expect(c[i]!.files[name], name).to.not.equal(day.files[name]);
    }
  });

  it('makes a day depend only on its date and whether the previous day was exported', () => {
    const [, second] = generateDays('2025-09-09', '2025-09-10');
    expect(generateDay({ date: '2025-09-10', previousDayExported: true })).to.deep.equal(second);
    const alone = generateDay({ date: '2025-09-10' });
    expect(alone.records.events.length).to.be.below(second!.records.events.length);
  });

  it('plants every kind of dirt on every day, at the line numbers the manifest records', () => {
    const days = generateDays('2025-09-09', '2025-09-12', {
      ...DEFAULT_OPTIONS,
      seed: 'dirt',
      usersPerDay: 60,
    });
    for (const day of days) {
      const kinds = new Set(day.manifest.map((e) => e.kind));
      for (const kind of [...LINE_DIRT_KINDS, ...FILE_DIRT_KINDS])
        expect(kinds, `${day.date} ${kind}`).to.include(kind);
      checkDay(day);
    }
  });

  it('re-delivers late events of the previous day and exports several days of activity', () => {
    const [first, second] = generateDays('2025-09-09', '2025-09-10');
    const dayStart = Date.parse('2025-09-10T00:00:00Z');
    const late = second!.records.events.filter((e) => e.eventMs < dayStart);
    expect(late.length).to.be.greaterThan(0);
    const firstIds = new Set(first!.records.events.map((e) => e.eventId));
    for (const e of late) expect(firstIds.has(e.eventId), e.eventId).to.equal(true);
    const lastMs = Math.max(...first!.records.events.map((e) => e.eventMs));
    expect(lastMs).to.be.at.least(Date.parse('2025-09-13T00:00:00Z'));
  });

  it('signs users up on their ingestion date whatever offset renders the timestamp', () => {
    const [day] = generateDays('2025-09-09', '2025-09-09');
    const offsets = new Set<string>();
    for (const line of physicalLines(day!.files['users_2025-09-09.csv']!).slice(1)) {
      const ts = parseCsvLine(line)?.[1] ?? '';
      const ms = Date.parse(ts);
      if (Number.isNaN(ms)) continue;
      expect(new Date(ms).toISOString().slice(0, 10), ts).to.equal('2025-09-09');
      offsets.add(ts.slice(19));
    }
    expect(offsets.size).to.be.at.least(3);
  });
});
