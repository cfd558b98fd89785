import { NonRetryableError } from '@streampro/engine';
import { expect } from 'chai';
import {
  devicesSchema,
  eventsSchema,
  usersSchema,
  videosSchema,
} from '../../../../dags/lib/streampro/schemas.js';
import { defineSchema } from '../../src/schema/types.js';
import { InvalidSchemaError } from '../../src/schema/validate-schema.js';
import { RejectRatioExceededError, type ToParquetOptions, toParquet } from '../../src/tasks/to-parquet.js';
import { type Sandbox, sandbox } from '../duckdb/helpers.js';
import { fakeContext } from '../storage/fake-context.js';

interface QuarantineRecord {
  source: string;
  line: number;
  text: string;
  reason: string;
  detail: string | null;
}

const ev = (fields: Record<string, unknown>): string =>
  JSON.stringify({
    event_id: 'e1',
    event_ts: '2025-09-09T10:00:00Z',
    user_id: 'u1',
    device_id: 'd1',
    session_id: 's1',
    event_type: 'session_start',
    video_id: null,
    watch_time: null,
    ...fields,
  });

describe('toParquet', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(async () => {
    await box.cleanup();
  });

  const run = (
    schema: ToParquetOptions['schema'],
    inputKey: string,
    extra: Partial<ToParquetOptions> = {},
  ) => {
    const { ctx } = fakeContext();
    return toParquet({
      input: { store: box.store, key: inputKey },
      output: { store: box.store, key: 'clean/out.parquet' },
      quarantine: { key: 'quarantine/out.jsonl' },
      schema,
      workDir: box.dir,
      threads: 2,
      ...extra,
    })(ctx);
  };

  const quarantine = async (): Promise<QuarantineRecord[]> =>
    (await box.store.getBytes('quarantine/out.jsonl'))
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as QuarantineRecord);

  it('quarantines lines that are not valid UTF-8 with their number, and loads the rest', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"event_id":"e2","note":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const body = Buffer.concat([
      Buffer.from(`${ev({ event_id: 'e1' })}\n`),
      bad,
      Buffer.from(`\n${ev({ event_id: 'e3' })}\n`),
    ]);
    await box.store.putBytes('raw/events.jsonl', body);
    const out = await run(eventsSchema, 'raw/events.jsonl', { maxRejectRatio: 0.5 });
    expect(out).to.deep.include({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    expect(out.rejectedByReason).to.deep.equal({ invalid_utf8: 1 });
    const [reject] = await quarantine();
    expect(reject).to.include({ line: 2, reason: 'invalid_utf8' });
    expect(reject?.text).to.equal(bad.toString('utf8'));
  });

  it('quarantines a line over the limit (default 8 MiB) as line_too_long with its first KiB, and loads the rest', async () => {
    // A 17 MiB line: over DuckDB's old 16 MiB line size, which failed the whole file on every try.
    const huge = ev({ event_id: 'huge', video_id: `é${'v'.repeat(17 * 1024 * 1024)}` });
    const lines = [ev({ event_id: 'a' }), huge, ev({ event_id: 'b' })];
    await box.put('raw/events.jsonl', `${lines.join('\n')}\n`);
    const out = await run(eventsSchema, 'raw/events.jsonl', { maxRejectRatio: 0.5 });
    expect(out).to.include({ rowsRead: 3, rowsWritten: 2, rowsRejected: 1 });
    expect(out.rejectedByReason).to.deep.equal({ line_too_long: 1 });
    const [reject] = await quarantine();
    // 1 KiB cut before a character that would not fit whole (é is two bytes).
    const head = Buffer.from(huge).subarray(0, 1024).toString('utf8');
    expect(reject).to.include({ line: 2, reason: 'line_too_long', text: head });
    expect(await box.readParquet('clean/out.parquet', 'SELECT event_id FROM t')).to.deep.equal([
      { event_id: 'a' },
      { event_id: 'b' },
    ]);
  });

  it('maxLineBytes sets the limit for CSV; a line of exactly the limit (CRLF) is read, one byte more is not', async () => {
    const header = 'video_id,title,genre,duration_s,published_at';
    const row = (id: string, bytes: number): string => {
      const fixed = `${id},,Drama,60,`.length;
      return `${id},${'t'.repeat(bytes - fixed)},Drama,60,`;
    };
    const lines = [
      header,
      row('v1', 2048),
      row('v2', 2049),
      `v3,"${'x'.repeat(3000)}`,
      '",Drama,60,',
      'v4,ok,Drama,60,',
    ];
    await box.put('raw/videos.csv', `${lines.join('\r\n')}\r\n`);
    const out = await run(videosSchema, 'raw/videos.csv', { maxRejectRatio: 1, maxLineBytes: 2048 });
    expect(out).to.include({ rowsRead: 5, rowsWritten: 2, rowsRejected: 3 });
    expect((await quarantine()).map((q) => [q.line, q.reason, q.text.length])).to.deep.equal([
      [3, 'line_too_long', 1024],
      [4, 'line_too_long', 1024],
      [5, 'malformed_csv:unterminated_quote', 11],
    ]);
  });

  it('refuses a maxLineBytes under 1 KiB when the task is declared', () => {
    expect(() =>
      toParquet({
        input: { store: box.store, key: 'x.csv' },
        output: { store: box.store, key: 'y' },
        quarantine: { key: 'q' },
        schema: videosSchema,
        maxLineBytes: 100,
      }),
    ).to.throw(RangeError, 'maxLineBytes must be an integer of at least 1024, got 100');
  });

  it('types JSON fields by JSON: a string in a number field, a number or object in a string field are invalid_type', async () => {
    const hb = { event_type: 'heartbeat', video_id: 'v1' };
    const lines = [
      ev({ event_id: 'e1', ...hb, watch_time: '12' }), // 1 a JSON string in a numeric field
      ev({ event_id: 'e2', ...hb, watch_time: 12 }), // 2 ok
      ev({ event_id: 42 }), // 3 a number in a string field
      ev({ event_id: 'e4', user_id: true }), // 4 a boolean in a string field
      ev({ event_id: 'e5', user_id: { id: 'u1' } }), // 5 an object in a string field
      ev({ event_id: 'e6', event_ts: 1757412000 }), // 6 a number in a timestamp field
      ev({ event_id: 'e7', user_id: 'u"7\\é' }), // 7 ok, escapes in the JSON text
      ev({ event_id: 'e8', ...hb, watch_time: true }), // 8 a boolean in a numeric field
      ev({ event_id: 'e9', ...hb, watch_time: -0.5e1 }), // 9 a number, out of range
    ];
    await box.put('raw/events.jsonl', `${lines.join('\n')}\n`);
    const out = await run(eventsSchema, 'raw/events.jsonl', { maxRejectRatio: 1 });
    expect(out).to.include({ rowsRead: 9, rowsWritten: 2, rowsRejected: 7 });
    expect((await quarantine()).map((q) => [q.line, q.reason])).to.deep.equal([
      [1, 'invalid_type:watch_time'],
      [3, 'invalid_type:event_id'],
      [4, 'invalid_type:user_id'],
      [5, 'invalid_type:user_id'],
      [6, 'invalid_type:event_ts'],
      [8, 'invalid_type:watch_time'],
      [9, 'out_of_range:watch_time'],
    ]);
    const rows = await box.readParquet('clean/out.parquet', 'SELECT event_id, user_id, watch_time FROM t');
    expect(rows).to.deep.equal([
      { event_id: 'e2', user_id: 'u1', watch_time: 12 },
      { event_id: 'e7', user_id: 'u"7\\é', watch_time: null },
    ]);
  });

  it('a boolean JSON field takes true or false only, not "true" or 1', async () => {
    const schema = defineSchema({
      columns: { id: { type: 'string', required: true }, flag: { type: 'boolean' } },
    });
    const lines = ['{"id":"a","flag":true}', '{"id":"b","flag":"true"}', '{"id":"c","flag":1}', '{"id":"d"}'];
    await box.put('raw/flags.jsonl', `${lines.join('\n')}\n`);
    const out = await run(schema, 'raw/flags.jsonl', { maxRejectRatio: 1 });
    expect(out.rejectedByReason).to.deep.equal({ 'invalid_type:flag': 2 });
    expect((await quarantine()).map((q) => q.line)).to.deep.equal([2, 3]);
    expect(await box.readParquet('clean/out.parquet')).to.deep.equal([
      { id: 'a', flag: true },
      { id: 'd', flag: null },
    ]);
  });

  it('events: an event_ts outside [D − 365 days, D + 7 days] of the ingestion date D is out_of_range, by UTC day', async () => {
    const lines = [
      ev({ event_id: 'e1', event_ts: '2024-09-09T00:00:00Z' }), // 1 D − 365 days, first instant: kept
      ev({ event_id: 'e2', event_ts: '2024-09-08T23:59:59Z' }), // 2 a second earlier
      ev({ event_id: 'e3', event_ts: '2025-09-16T23:59:59.999Z' }), // 3 D + 7 days, last instant: kept
      ev({ event_id: 'e4', event_ts: '2025-09-17T00:00:00Z' }), // 4 D + 8 days
      ev({ event_id: 'e5', event_ts: '2025-09-17T01:00:00+02:00' }), // 5 D + 7 days in UTC: kept
      ev({ event_id: 'e6', event_ts: '1970-01-01T00:00:00Z' }), // 6 a zero clock
    ];
    await box.put('raw/events.jsonl', `${lines.join('\n')}\n`);
    const { ctx } = fakeContext('2025-09-09');
    const out = await toParquet({
      input: { store: box.store, key: 'raw/events.jsonl' },
      output: { store: box.store, key: 'clean/out.parquet' },
      quarantine: { key: 'quarantine/out.jsonl' },
      schema: eventsSchema,
      maxRejectRatio: 1,
      workDir: box.dir,
    })(ctx);
    expect(out).to.include({ rowsRead: 6, rowsWritten: 3, rowsRejected: 3 });
    expect((await quarantine()).map((q) => [q.line, q.reason])).to.deep.equal([
      [2, 'out_of_range:event_ts'],
      [4, 'out_of_range:event_ts'],
      [6, 'out_of_range:event_ts'],
    ]);
  });

  it('refuses a timestamp window of negative or fractional days when the task is declared', () => {
    const bad = defineSchema({
      columns: { ts: { type: 'timestamp', window: { daysBefore: -1, daysAfter: 1.5 } } },
    });
    expect(() =>
      toParquet({
        input: { store: box.store, key: 'x.jsonl' },
        output: { store: box.store, key: 'y' },
        quarantine: { key: 'q' },
        schema: bad,
      }),
    ).to.throw(
      InvalidSchemaError,
      'invalid table schema: column ts: window.daysBefore -1 is not a whole number of days >= 0; column ts: window.daysAfter 1.5 is not a whole number of days >= 0',
    );
  });

  it('converts JSON Lines to Parquet with UTC instants, derived columns and line order', async () => {
    const lines = [
      ev({ event_id: 'e1', event_ts: '2025-09-09T23:30:00-02:00' }),
      ev({ event_id: 'e2', event_ts: '2025-09-10T01:15:00+05:30', event_type: 'play_start', video_id: 'v1' }),
      ev({
        event_id: 'e3',
        event_type: 'heartbeat',
        video_id: 'v1',
        watch_time: 30.5,
        extra_field: { a: 1 },
      }),
      ev({ event_id: 'e4', event_type: 'play_stop', video_id: 'v1', watch_time: 0 }),
    ];
    await box.put('raw/events.jsonl', `${lines.join('\n')}\n`);
    const out = await run(eventsSchema, 'raw/events.jsonl');
    expect(out).to.deep.equal({
      rowsRead: 4,
      rowsWritten: 4,
      rowsRejected: 0,
      rejectedByReason: {},
      duplicatesDropped: 0,
      outputKeys: ['clean/out.parquet'],
      quarantineKey: null,
    });
    const rows = await box.readParquet('clean/out.parquet');
    expect(rows.map((r) => r.event_id)).to.deep.equal(['e1', 'e2', 'e3', 'e4']);
    expect(rows[0]).to.include({ event_ts: '2025-09-10T01:30:00.000Z', event_date: '2025-09-10' });
    expect(rows[1]).to.include({ event_ts: '2025-09-09T19:45:00.000Z', event_date: '2025-09-09' });
    expect(rows[2]).to.include({ watch_time: 30.5, video_id: 'v1' });
    expect(rows[3]).to.include({ watch_time: 0 });
    expect(Object.keys(rows[0] ?? {})).to.not.include('extra_field');
    const types = await box.readParquet(
      'clean/out.parquet',
      'SELECT typeof(event_ts) AS t, typeof(event_date) AS d FROM t LIMIT 1',
    );
    expect(types[0]).to.deep.equal({ t: 'TIMESTAMP WITH TIME ZONE', d: 'DATE' });
  });

  it('quarantines every malformed JSON line with its reason, line number and text; drops and counts duplicates', async () => {
    const lines = [
      ev({ event_id: 'ok1' }), // 1
      '{"event_id": "broken", ', // 2 malformed
      '', // 3 blank
      ev({ event_id: 'm1', user_id: null }), // 4 missing required
      ev({ event_id: 't1', event_ts: 'yesterday at noon' }), // 5 unparseable timestamp
      ev({ event_id: 'n1', event_type: 'heartbeat', video_id: 'v', watch_time: -3 }), // 6 negative
      ev({ event_id: 'x1', event_type: 'PLAY' }), // 7 unknown enum
      ev({ event_id: 'c1', watch_time: 12 }), // 8 check: watch_time on session_start
      '   ', // 9 whitespace only
      ev({ event_id: 'ok1', user_id: 'other' }), // 10 line 1's key with other values: a conflict
      '[1, 2, 3]', // 11 not an object
      ev({ event_id: 'w1', event_type: 'heartbeat', video_id: 'v', watch_time: 'ten' }), // 12 bad number
      ev({ event_id: 'ok2' }), // 13
      ev({ event_id: 'ok2' }), // 14 duplicate of 13
    ];
    await box.put('raw/events.jsonl', `${lines.join('\n')}\n`);
    const out = await run(eventsSchema, 'raw/events.jsonl', { maxRejectRatio: 1 });
    expect(out.rowsRead).to.equal(12);
    expect(out.rowsWritten).to.equal(2);
    expect(out.duplicatesDropped).to.equal(1);
    expect(out.rowsRejected).to.equal(9);
    expect(out.rowsRead).to.equal(out.rowsWritten + out.rowsRejected + out.duplicatesDropped);
    expect(out.quarantineKey).to.equal('quarantine/out.jsonl');
    expect(out.rejectedByReason).to.deep.equal({
      'check:watch_time_on_play_events': 1,
      'conflicting_duplicate:event_id': 1,
      'invalid_type:event_ts': 1,
      'invalid_type:watch_time': 1,
      malformed_json: 2,
      'missing_required:user_id': 1,
      'not_allowed:event_type': 1,
      'out_of_range:watch_time': 1,
    });
    const q = await quarantine();
    expect(q.map((r) => [r.line, r.reason])).to.deep.equal([
      [2, 'malformed_json'],
      [4, 'missing_required:user_id'],
      [5, 'invalid_type:event_ts'],
      [6, 'out_of_range:watch_time'],
      [7, 'not_allowed:event_type'],
      [8, 'check:watch_time_on_play_events'],
      [10, 'conflicting_duplicate:event_id'],
      [11, 'malformed_json'],
      [12, 'invalid_type:watch_time'],
    ]);
    for (const record of q) {
      expect(record.source).to.equal('raw/events.jsonl');
      // A conflict's text is its line in raw/; its detail names the line it conflicts with.
      if (record.reason.startsWith('conflicting_duplicate:')) {
        expect([record.text, record.detail]).to.deep.equal([null, 'same key as line 1, other values']);
      } else expect(record.text).to.equal(lines[record.line - 1]);
    }
    expect(q.find((r) => r.reason.startsWith('check:'))?.detail).to.match(/watch_time is required/);
    const rows = await box.readParquet('clean/out.parquet');
    expect(rows.map((r) => [r.event_id, r.user_id])).to.deep.equal([
      ['ok1', 'u1'],
      ['ok2', 'u1'],
    ]);
  });

  it('parses CSV with a BOM, CRLF, RFC 4180 quoting and blank lines, canonicalising values', async () => {
    const csv = [
      '\uFEFFvideo_id,title,genre,duration_s,published_at',
      'v1,"Hello, World",comedy ,120,2025-01-01T10:00:00+01:00',
      '',
      'v2,"She said ""hi""", SCI-FI,95,2025-01-02T00:00:00Z',
      'v3,"Amélie à Paris",  Documentary,3600,',
      'v4,Plain title,KIDS,45,2025-01-03 08:00:00-05:00',
      '',
    ].join('\r\n');
    await box.put('raw/videos.csv', csv);
    const out = await run(videosSchema, 'raw/videos.csv');
    expect(out).to.include({ rowsRead: 4, rowsWritten: 4, rowsRejected: 0, duplicatesDropped: 0 });
    const rows = await box.readParquet('clean/out.parquet');
    expect(rows).to.deep.equal([
      {
        video_id: 'v1',
        title: 'Hello, World',
        genre: 'Comedy',
        duration_s: 120,
        published_at: '2025-01-01T09:00:00.000Z',
      },
      {
        video_id: 'v2',
        title: 'She said "hi"',
        genre: 'Sci-Fi',
        duration_s: 95,
        published_at: '2025-01-02T00:00:00.000Z',
      },
      { video_id: 'v3', title: 'Amélie à Paris', genre: 'Documentary', duration_s: 3600, published_at: null },
      {
        video_id: 'v4',
        title: 'Plain title',
        genre: 'Kids',
        duration_s: 45,
        published_at: '2025-01-03T13:00:00.000Z',
      },
    ]);
  });

  it('quarantines malformed CSV rows with the physical line number and original text', async () => {
    const lines = [
      'device_id,user_id,device_os,os_version,app_version,model', // 1
      'd1,u1, IOS,17.1,1.2.3,"iPhone 15, Pro"', // 2 ok
      'd2,u2,android,14', // 3 wrong column count
      'd3,u3,Web,1,2.0.0,"bad"quote', // 4 bad quoting
      '', // 5 blank
      'd4,u4,Fridge,1,1.0.0,x', // 6 unknown canonical value
      'd5,u5,tv,9,1.0,y', // 7 pattern
      'd6,,web,1,1.0.0,z', // 8 missing required
      'd1,u1,ios ,17.1,1.2.3,"iPhone 15, Pro"', // 9 duplicate of line 2 (the same once normalised)
      'd7,u7,"Android",13,"2.3.4","Pixel ""8"""', // 10 ok, quoted
      'd7,u8,Web,1,1.0.0,other', // 11 line 10's key with other values: a conflict
    ];
    await box.put('raw/devices.csv', `${lines.join('\r\n')}\r\n`);
    const out = await run(devicesSchema, 'raw/devices.csv', { maxRejectRatio: 1 });
    expect(out).to.include({ rowsRead: 9, rowsWritten: 2, rowsRejected: 6, duplicatesDropped: 1 });
    const q = await quarantine();
    expect(q.map((r) => [r.line, r.reason, r.text])).to.deep.equal([
      [3, 'malformed_csv:wrong_column_count', lines[2]],
      [4, 'malformed_csv:bad_quoting', lines[3]],
      [6, 'not_allowed:device_os', lines[5]],
      [7, 'pattern:app_version', lines[6]],
      [8, 'missing_required:user_id', lines[7]],
      [11, 'conflicting_duplicate:device_id', null],
    ]);
    const rows = await box.readParquet('clean/out.parquet');
    expect(rows).to.deep.equal([
      {
        device_id: 'd1',
        user_id: 'u1',
        device_os: 'iOS',
        os_version: '17.1',
        app_version: '1.2.3',
        model: 'iPhone 15, Pro',
      },
      {
        device_id: 'd7',
        user_id: 'u7',
        device_os: 'Android',
        os_version: '13',
        app_version: '2.3.4',
        model: 'Pixel "8"',
      },
    ]);
  });
  it('reads RFC 4180 records whose quoted fields hold line breaks as one record at its first line', async () => {
    const lines = [
      'video_id,title,genre,duration_s,published_at', // 1
      'v9001,"Line one', // 2 a record over lines 2-3
      'Line two",Comedy,120,2025-01-01T10:00:00Z', // 3
      'v2,Plain,Drama,60,', // 4
      'v3,"a, ""b""', // 5 a record over lines 5-8, with a blank line and a close-and-reopen in it
      '',
      'c",Kids,"30', // 7
      '",', // 8
      'v4,"x', // 9 a record over 9-10 with too few columns: quarantined whole, at line 9
      'y"', // 10
      'v5,"bad"x,Drama,60,', // 11
      'v6,"never closed,Drama,60,', // 12 open until the end of the file
      'v7,Fine,Drama,60,', // 13 read again as a record of its own
    ];
    await box.put('raw/videos.csv', `${lines.join('\r\n')}\r\n`);
    const out = await run(videosSchema, 'raw/videos.csv', { maxRejectRatio: 1 });
    expect(out).to.include({ rowsRead: 7, rowsWritten: 3, rowsRejected: 4, duplicatesDropped: 0 });
    expect(out.rejectedByReason).to.deep.equal({
      'malformed_csv:bad_quoting': 1,
      'malformed_csv:unterminated_quote': 1,
      'malformed_csv:wrong_column_count': 1,
      'invalid_type:duration_s': 1,
    });
    expect((await quarantine()).map((q) => [q.line, q.reason, q.text])).to.deep.equal([
      [5, 'invalid_type:duration_s', 'v3,"a, ""b""\n\nc",Kids,"30\n",'],
      [9, 'malformed_csv:wrong_column_count', 'v4,"x\ny"'],
      [11, 'malformed_csv:bad_quoting', lines[10]],
      [12, 'malformed_csv:unterminated_quote', lines[11]],
    ]);
    const rows = await box.readParquet('clean/out.parquet', 'SELECT video_id, title FROM t');
    expect(rows).to.deep.equal([
      { video_id: 'v9001', title: 'Line one\nLine two' },
      { video_id: 'v2', title: 'Plain' },
      { video_id: 'v7', title: 'Fine' },
    ]);
  });

  it('normalises users: upper-case country (empty is null), lower-case plan, salted email hash without the raw email', async () => {
    const csv = [
      'user_id,signup_ts,country,plan,email',
      'u1,2025-09-08T22:30:00-03:00, fr ,Premium ,Ann@Example.com',
      'u2,2025-09-09T00:00:00Z,,FREE,',
      'u3,2025-09-09T00:00:00Z,France,free,x@y.z',
      'u4,2025-09-09T00:00:00Z,de,gold,x@y.z',
    ].join('\n');
    await box.put('raw/users.csv', csv);
    const masked: string[] = [];
    const { ctx } = fakeContext();
    const out = await toParquet({
      input: { store: box.store, key: 'raw/users.csv' },
      output: { store: box.store, key: 'clean/users.parquet' },
      quarantine: { key: 'quarantine/users.jsonl' },
      schema: usersSchema,
      secrets: { email_salt: () => 'pepper' },
      maxRejectRatio: 0.5,
      workDir: box.dir,
    })({ ...ctx, maskSecret: (v) => masked.push(v) });
    expect(out).to.include({ rowsRead: 4, rowsWritten: 2, rowsRejected: 2 });
    expect(out.rejectedByReason).to.deep.equal({ 'not_allowed:plan': 1, 'pattern:country': 1 });
    expect(masked).to.deep.equal(['pepper']);
    const rows = await box.readParquet(
      'clean/users.parquet',
      "SELECT *, sha256('pepper' || 'ann@example.com') AS expected FROM t",
    );
    expect(rows[0]).to.deep.include({
      user_id: 'u1',
      signup_ts: '2025-09-09T01:30:00.000Z',
      country: 'FR',
      plan: 'premium',
    });
    expect(rows[0]?.email_sha256).to.equal(rows[0]?.expected);
    expect(rows[1]).to.deep.include({ user_id: 'u2', country: null, plan: 'free', email_sha256: null });
    expect(Object.keys(rows[0] ?? {})).to.not.include('email');
  });

  it('users: a signup_ts without an offset and an hour of 24 are quarantined, not read as UTC or the next day', async () => {
    const csv = [
      'user_id,signup_ts,country,plan,email',
      'u1,2025-09-09T10:00:00+02:00,FR,free,',
      'u2,2025-09-09T10:00:00,FR,free,',
      'u3,2025-12-01T24:00:00Z,FR,free,',
      'u4,2025-09-09 10:00:00Z,FR,free,',
    ].join('\n');
    await box.put('raw/users.csv', csv);
    const out = await run(usersSchema, 'raw/users.csv', { maxRejectRatio: 1 });
    expect(out).to.include({ rowsRead: 4, rowsWritten: 2, rowsRejected: 2 });
    expect(out.rejectedByReason).to.deep.equal({
      'missing_offset:signup_ts': 1,
      'invalid_type:signup_ts': 1,
    });
    expect((await quarantine()).map((q) => [q.line, q.reason])).to.deep.equal([
      [3, 'missing_offset:signup_ts'],
      [4, 'invalid_type:signup_ts'],
    ]);
  });

  it('timestamps are RFC 3339: T, t or a space, seconds required, a fraction optional, Z or ±HH:MM', async () => {
    const rows = [
      ['a', '2025-09-09t10:00:00z', true],
      ['b', '2025-09-09 10:00:00.5-05:00', true],
      ['c', '2025-09-09T10:00:00.123456789+02:00', true],
      ['d', '2025-09-09T10:00Z', false],
      ['e', '2025-09-09', false],
      ['f', '2025-09-09T10:00:00+0200', false],
      ['g', '2025-09-09T10:00:00+02', false],
      ['h', '20250909T100000Z', false],
      ['i', '2025-09-09T10:00:00 Z', false],
    ] as const;
    const csv = ['user_id,signup_ts,country,plan,email', ...rows.map(([id, ts]) => `${id},${ts},FR,free,`)];
    await box.put('raw/users.csv', csv.join('\n'));
    const out = await run(usersSchema, 'raw/users.csv', { maxRejectRatio: 1 });
    const rejected = rows.filter(([, , ok]) => !ok).map(([id]) => id);
    expect(out).to.include({ rowsRead: rows.length, rowsRejected: rejected.length });
    expect(out.rejectedByReason).to.deep.equal({ 'invalid_type:signup_ts': rejected.length });
    const kept = await box.readParquet(
      'clean/out.parquet',
      'SELECT user_id, signup_ts FROM t ORDER BY user_id',
    );
    expect(kept.map((r) => [r.user_id, r.signup_ts])).to.deep.equal([
      ['a', '2025-09-09T10:00:00.000Z'],
      ['b', '2025-09-09T15:00:00.500Z'],
      ['c', '2025-09-09T08:00:00.123Z'],
    ]);
  });

  it('quarantines a line with a NUL byte in a field (nul_byte) rather than letting it reach trusted', async () => {
    const csv = [
      'user_id,signup_ts,country,plan,email',
      'u1,2025-09-09T10:00:00Z,FR,free,',
      'u2\u0000x,2025-09-09T10:00:00Z,FR,free,',
    ].join('\n');
    await box.put('raw/users.csv', csv);
    const out = await run(usersSchema, 'raw/users.csv', { maxRejectRatio: 1 });
    expect(out).to.include({ rowsRead: 2, rowsWritten: 1, rowsRejected: 1 });
    expect((await quarantine()).map((q) => [q.line, q.reason])).to.deep.equal([[3, 'nul_byte']]);
  });

  it('fails with the counts when the reject ratio is exceeded, publishing the quarantine but no output', async () => {
    const lines = [
      ev({ event_id: 'a' }),
      'not json',
      ev({ event_id: 'b', user_id: '' }),
      ev({ event_id: 'c' }),
    ];
    await box.put('raw/events.jsonl', lines.join('\n'));
    const error = await run(eventsSchema, 'raw/events.jsonl', { maxRejectRatio: 0.2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RejectRatioExceededError);
    expect(error).to.be.instanceOf(NonRetryableError);
    expect((error as Error).message).to.equal(
      '2 of 4 rows rejected (ratio 0.5000 > max 0.2); by reason: malformed_json=1, missing_required:user_id=1; output not written',
    );
    expect(await box.store.exists('clean/out.parquet')).to.equal(false);
    expect((await quarantine()).map((r) => r.line)).to.deep.equal([2, 3]);
  });

  it('yields the same output when re-run on the same input, and removes a stale quarantine', async () => {
    const lines = [ev({ event_id: 'a' }), ev({ event_id: 'b' }), ev({ event_id: 'a' }), 'oops'];
    await box.put('raw/events.jsonl', lines.join('\n'));
    const first = await run(eventsSchema, 'raw/events.jsonl', { maxRejectRatio: 0.5 });
    const second = await run(eventsSchema, 'raw/events.jsonl', { maxRejectRatio: 0.5 });
    expect(second).to.deep.equal(first);
    expect(await box.readParquet('clean/out.parquet', 'SELECT event_id FROM t')).to.deep.equal([
      { event_id: 'a' },
      { event_id: 'b' },
    ]);
    await box.put('raw/events.jsonl', lines.slice(0, 2).join('\n'));
    const clean = await run(eventsSchema, 'raw/events.jsonl');
    expect(clean.quarantineKey).to.equal(null);
    expect(await box.store.exists('quarantine/out.jsonl')).to.equal(false);
  });

  it('writes an empty Parquet file for an input with only blank lines', async () => {
    await box.put('raw/events.jsonl', '\n\n  \n');
    const out = await run(eventsSchema, 'raw/events.jsonl');
    expect(out).to.include({ rowsRead: 0, rowsWritten: 0 });
    expect(await box.readParquet('clean/out.parquet', 'SELECT count(*) AS n FROM t')).to.deep.equal([
      { n: 0 },
    ]);
  });

  it('fails at once, naming both, when an optional column is absent and an unknown one present (a rename)', async () => {
    await box.put(
      'raw/users.csv',
      'user_id,signup_ts,country,plan,e_mail\nu1,2025-09-09T10:00:00Z,FR,free,a@b.c\n',
    );
    const error = await run(usersSchema, 'raw/users.csv').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NonRetryableError);
    expect((error as Error).message).to.equal(
      'CSV header of raw/users.csv lacks column(s) email and has unknown column(s) e_mail: a renamed column? Fix the header or the schema',
    );
  });

  it('refuses a UTF-16 file with one line saying so, not as a header problem', async () => {
    const text = 'user_id,signup_ts,country,plan,email\nu1,2025-09-09T10:00:00Z,FR,free,\n';
    await box.store.putBytes(
      'raw/users.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const error = await run(usersSchema, 'raw/users.csv').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NonRetryableError);
    expect((error as Error).message).to.equal(
      'raw/users.csv is UTF-16 (little-endian byte order mark); convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)',
    );
  });

  it('fails at once when the CSV header lacks a required column', async () => {
    await box.put('raw/videos.csv', 'video_id,name\nv1,x\n');
    const error = await run(videosSchema, 'raw/videos.csv').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NonRetryableError);
    expect((error as Error).message).to.equal(
      'CSV header of raw/videos.csv lacks required column(s): title, duration_s',
    );
  });

  it('rejects an invalid schema when the task is declared', () => {
    const bad = defineSchema({
      columns: { os: { type: 'string', canonical: ['iOS', 'IOS'] }, n: { type: 'integer', min: 5, max: 1 } },
      dedupKey: ['os'],
    });
    expect(() =>
      toParquet({
        input: { store: box.store, key: 'x.csv' },
        output: { store: box.store, key: 'y' },
        quarantine: { key: 'q' },
        schema: bad,
      }),
    ).to.throw(
      InvalidSchemaError,
      'invalid table schema: column os: canonical values iOS and IOS differ only by case or whitespace; column n: min 5 is greater than max 1',
    );
  });
});
