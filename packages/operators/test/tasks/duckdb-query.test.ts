import path from 'node:path';
import { NonRetryableError } from '@streampro/engine';
import { expect } from 'chai';
import { stageDatasets } from '../../src/duckdb/datasets.js';
import { DuckDBSession } from '../../src/duckdb/session.js';
import { duckdbQuery } from '../../src/tasks/duckdb-query.js';
import { type Sandbox, sandbox } from '../duckdb/helpers.js';
import { fakeContext } from '../storage/fake-context.js';

describe('duckdbQuery', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
    for (const day of ['2025-09-07', '2025-09-08', '2025-09-09', '2025-09-10']) {
      await box.putParquet(
        `clean/events/ingestion_date=${day}/part-0.parquet`,
        `SELECT 'e-${day}-' || i AS event_id, i * 10 AS watch_time FROM range(1, 4) t(i)`,
      );
    }
    await box.putParquet('clean/users/part-0.parquet', "SELECT 'u1' AS user_id, DATE '2025-09-01' AS d");
  });
  afterEach(async () => {
    await box.cleanup();
  });
  const common = () => ({ cacheDir: path.join(box.dir, 'cache'), workDir: box.dir, threads: 1 });

  it('queries a range of partitions and returns JSON-safe rows', async () => {
    const { ctx } = fakeContext();
    const out = await duckdbQuery({
      ...common(),
      inputs: {
        events: {
          store: box.store,
          prefix: 'clean/events/',
          partitions: { from: '2025-09-08', to: '2025-09-09' },
        },
      },
      sql: `SELECT ingestion_date, count(*) AS n, sum(watch_time) AS total, max(TIMESTAMPTZ '2025-09-09 10:00:00+02') AS ts
            FROM events GROUP BY ALL ORDER BY ingestion_date;`,
    })(ctx);
    expect(out).to.deep.equal({
      kind: 'rows',
      columns: ['ingestion_date', 'n', 'total', 'ts'],
      rows: [
        { ingestion_date: '2025-09-08', n: 3, total: 60, ts: '2025-09-09T08:00:00.000Z' },
        { ingestion_date: '2025-09-09', n: 3, total: 60, ts: '2025-09-09T08:00:00.000Z' },
      ],
      truncated: false,
    });
    expect(JSON.parse(JSON.stringify(out))).to.deep.equal(out);
  });

  it('accepts an explicit partition list and flags a truncated result', async () => {
    const { ctx } = fakeContext();
    const out = await duckdbQuery({
      ...common(),
      inputs: {
        events: {
          store: box.store,
          prefix: 'clean/events/',
          partitions: () => ({ values: ['2025-09-07', '2025-09-10'] }),
        },
      },
      sql: 'SELECT event_id FROM events ORDER BY event_id',
      maxRows: 4,
    })(ctx);
    expect(out.truncated).to.equal(true);
    expect(out.rows.map((r) => r.event_id)).to.deep.equal([
      'e-2025-09-07-1',
      'e-2025-09-07-2',
      'e-2025-09-07-3',
      'e-2025-09-10-1',
    ]);
  });

  it('writes the result as Parquet, CSV or JSON Lines to the store', async () => {
    const { ctx } = fakeContext();
    const inputs = {
      events: { store: box.store, prefix: 'clean/events/' },
      users: { store: box.store, prefix: 'clean/users/' },
    };
    const sql =
      'SELECT event_id, watch_time, (SELECT count(*) FROM users) AS users FROM events ORDER BY event_id';
    const parquet = await duckdbQuery({
      ...common(),
      inputs,
      sql,
      output: { store: box.store, key: 'out/r.parquet' },
    })(ctx);
    expect(parquet).to.deep.equal({ kind: 'written', key: 'out/r.parquet', format: 'parquet', rowCount: 12 });
    expect(
      await box.readParquet('out/r.parquet', 'SELECT count(*) AS n, max(users) AS u FROM t'),
    ).to.deep.equal([{ n: 12, u: 1 }]);
    await duckdbQuery({
      ...common(),
      inputs,
      sql,
      output: { store: box.store, key: 'out/r.csv', format: 'csv' },
    })(ctx);
    const csv = (await box.store.getBytes('out/r.csv')).toString('utf8').split('\n');
    expect(csv.slice(0, 2)).to.deep.equal(['event_id,watch_time,users', 'e-2025-09-07-1,10,1']);
    await duckdbQuery({
      ...common(),
      inputs,
      sql,
      output: { store: box.store, key: 'out/r.json', format: 'json' },
    })(ctx);
    const json = (await box.store.getBytes('out/r.json')).toString('utf8').trim().split('\n');
    expect(json).to.have.length(12);
    expect(JSON.parse(json[0] ?? '')).to.deep.equal({ event_id: 'e-2025-09-07-1', watch_time: 10, users: 1 });
  });

  it('reuses cached objects and re-downloads one that changed', async () => {
    const { ctx } = fakeContext();
    const cacheDir = path.join(box.dir, 'cache');
    const inputs = { events: { store: box.store, prefix: 'clean/events/' } };
    const stage = async () => {
      const session = await DuckDBSession.create({ tempDirectory: path.join(box.dir, 'spill'), threads: 1 });
      try {
        const [staged] = await stageDatasets(session, inputs, ctx, { cacheDir });
        const rows = await session.all('SELECT count(*) AS n FROM events');
        return { downloaded: staged?.downloaded, n: rows[0]?.n };
      } finally {
        session.close();
      }
    };
    expect(await stage()).to.deep.equal({ downloaded: 4, n: 12 });
    expect(await stage()).to.deep.equal({ downloaded: 0, n: 12 });
    await box.putParquet(
      'clean/events/ingestion_date=2025-09-09/part-0.parquet',
      "SELECT 'x' AS event_id, 1 AS watch_time",
    );
    expect(await stage()).to.deep.equal({ downloaded: 1, n: 10 });
  });

  it('fails clearly when no object matches', async () => {
    const { ctx } = fakeContext();
    const error = await duckdbQuery({
      ...common(),
      inputs: { events: { store: box.store, prefix: 'clean/events/', partitions: { from: '2026-01-01' } } },
      sql: 'SELECT 1',
    })(ctx).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NonRetryableError);
    expect((error as Error).message).to.match(
      /^dataset events: no Parquet object under file:.* prefix "clean\/events\/" with ingestion_date from 2026-01-01 to -$/,
    );
  });
});
