import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '@streampro/operators';
import { expect } from 'chai';
import { computeQuality, computeReport, stageQuarantine } from '../../dags/lib/analytics/index.js';
import { withTrusted } from './support/duckdb.js';
import { alike, handmadeDay } from './support/handmade.js';

const D1 = '2025-10-01';
const D2 = '2025-10-02';
const days = [handmadeDay(D1, alike(4, 1, [['Drama', 40]])), handmadeDay(D2, alike(3, 1, [['Comedy', 40]]))];
const reject = (dataset: string, date: string, reason: string, n: number): string =>
  Array.from({ length: n }, () => `('${dataset}', DATE '${date}', '${reason}')`).join(', ');

describe('report data quality', () => {
  it('counts written and quarantined rows by reason over the partitions read only', async () => {
    await withTrusted(days, async (c) => {
      await c.run(
        `INSERT INTO quarantine VALUES ${reject('users', D1, 'missing_required:user_id', 2)}, ` +
          `${reject('users', D1, 'bad_timestamp:signup_ts', 1)}, ${reject('users', D2, 'malformed_csv', 5)}, ` +
          `${reject('events', D2, 'malformed_json', 4)}`,
      );
      const all = await computeQuality(c, {
        users: [D1, D2],
        videos: [D1, D2],
        devices: [D1, D2],
        events: [D1, D2],
      });
      expect(all.users).to.deep.equal({
        partitions: [D1, D2],
        rowsRead: null,
        rowsWritten: 7,
        quarantined: 8,
        quarantinedByReason: {
          'bad_timestamp:signup_ts': 1,
          malformed_csv: 5,
          'missing_required:user_id': 2,
        },
        duplicatesDropped: null,
      });
      // One event per first session, one more per retained user: 4 + 1 and 3 + 1.
      expect(all.events).to.include({ rowsWritten: 9, quarantined: 4 });
      expect(all.videos).to.include({ rowsWritten: 2, quarantined: 0 });

      const first = await computeQuality(c, { users: [D1], videos: [D1], devices: [D1], events: [] });
      expect(first.users).to.include({ rowsWritten: 4, quarantined: 3 });
      expect(first.users.quarantinedByReason).to.deep.equal({
        'bad_timestamp:signup_ts': 1,
        'missing_required:user_id': 2,
      });
      expect(first.events).to.include({ rowsWritten: 0, quarantined: 0 });
    });
  });

  it('derives rows read only when duplicates are supplied for every partition read', async () => {
    await withTrusted(days, async (c) => {
      await c.run(`INSERT INTO quarantine VALUES ${reject('users', D1, 'malformed_csv', 2)}`);
      const partitions = { users: [D1, D2], videos: [D1], devices: [D1], events: [D1] };
      const partial = await computeQuality(c, partitions, { users: { [D1]: { duplicatesDropped: 3 } } });
      expect(partial.users).to.include({ rowsRead: null, duplicatesDropped: null });
      const full = await computeQuality(c, partitions, {
        users: { [D1]: { duplicatesDropped: 3 }, [D2]: { duplicatesDropped: 1 } },
      });
      expect(full.users).to.include({ rowsWritten: 7, quarantined: 2, duplicatesDropped: 4, rowsRead: 13 });
    });
  });

  it('is part of the report, over partitionsRead unless partitions are given', async () => {
    await withTrusted(days, async (c) => {
      await c.run(`INSERT INTO quarantine VALUES ${reject('devices', D2, 'missing_required:device_id', 1)}`);
      const report = await computeReport(c, D1);
      expect(report.dataQuality.devices).to.include({ rowsWritten: 7, quarantined: 1 });
      const narrow = await computeReport(c, D1, {
        partitions: { users: [D1], videos: [D1], devices: [D1], events: [D1] },
      });
      expect(narrow.dataQuality.devices).to.include({ rowsWritten: 4, quarantined: 0 });
      expect(narrow.q2).to.deep.equal(report.q2);
    });
  });

  it('stages the lake quarantine files as the quarantine table', async () => {
    const root = mkdtempSync(join(tmpdir(), 'streampro-quarantine-lake-'));
    const work = mkdtempSync(join(tmpdir(), 'streampro-quarantine-work-'));
    try {
      const store = await LocalStore.open(root);
      const line = (reason: string, n: number) =>
        JSON.stringify({ source: 'raw/x', line: n, text: 'a,"b', reason, detail: null });
      await store.putBytes(
        `quarantine/users/ingestion_date=${D1}/rejects.jsonl`,
        `${[line('missing_required:user_id', 2), line('malformed_csv', 3), line('malformed_csv', 4)].join('\n')}\n`,
      );
      await store.putBytes(
        `quarantine/events/ingestion_date=${D2}/rejects.jsonl`,
        `${line('malformed_json', 7)}\n`,
      );
      await store.putBytes(`quarantine/other/ingestion_date=${D1}/rejects.jsonl`, `${line('x', 1)}\n`);
      await withTrusted(days, async (c) => {
        const keys = await stageQuarantine(c, store, work);
        expect(keys).to.deep.equal([
          `quarantine/events/ingestion_date=${D2}/rejects.jsonl`,
          `quarantine/users/ingestion_date=${D1}/rejects.jsonl`,
        ]);
        const quality = await computeQuality(c, { users: [D1], videos: [], devices: [], events: [D1, D2] });
        expect(quality.users.quarantinedByReason).to.deep.equal({
          malformed_csv: 2,
          'missing_required:user_id': 1,
        });
        expect(quality.events.quarantinedByReason).to.deep.equal({ malformed_json: 1 });
        const only = await stageQuarantine(c, store, work, {
          partitions: { users: [], videos: [], devices: [], events: [D2] },
        });
        expect(only).to.deep.equal([`quarantine/events/ingestion_date=${D2}/rejects.jsonl`]);
        const after = await computeQuality(c, { users: [D1], videos: [], devices: [], events: [D2] });
        expect(after.users.quarantined).to.equal(0);
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });
});
