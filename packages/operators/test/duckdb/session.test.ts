import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DuckDBSession, withSession } from '../../src/duckdb/session.js';

describe('DuckDBSession', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'streampro-session-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('applies memory limit, spill folder, threads and UTC, and converts values to JSON-safe ones', async () => {
    await withSession(
      { tempDirectory: path.join(dir, 'spill'), memoryLimit: '256MB', threads: 1 },
      undefined,
      async (s) => {
        const settings = await s.all(
          "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t, current_setting('TimeZone') AS tz, current_setting('temp_directory') AS d",
        );
        expect(settings[0]).to.include({ t: 1, tz: 'UTC', d: path.join(dir, 'spill') });
        expect(String(settings[0]?.m)).to.match(/^2\d\d\.\d MiB$/);
        const rows =
          await s.all(`SELECT 42::BIGINT AS small, 9007199254740993::BIGINT AS big, 1.25::DECIMAL(5,2) AS dec,
        DATE '2025-09-09' AS d, TIMESTAMPTZ '2025-09-09 12:00:00+02' AS ts, [1, 2]::INTEGER[] AS l, {'a': DATE '2025-01-02'} AS st,
        'inf'::DOUBLE AS inf, NULL AS n, utc_date(TIMESTAMPTZ '2025-09-09 23:30:00-02') AS ud`);
        expect(rows).to.deep.equal([
          {
            small: 42,
            big: '9007199254740993',
            dec: 1.25,
            d: '2025-09-09',
            ts: '2025-09-09T10:00:00.000Z',
            l: [1, 2],
            st: { a: '2025-01-02T00:00:00.000Z' },
            inf: 'Infinity',
            n: null,
            ud: '2025-09-10',
          },
        ]);
      },
    );
  });

  it('streams at most maxRows rows and reports truncation', async () => {
    const s = await DuckDBSession.create({ tempDirectory: path.join(dir, 'spill'), threads: 1 });
    try {
      const out = await s.query('SELECT range AS i FROM range(100000)', 3);
      expect(out).to.deep.equal({ columns: ['i'], rows: [{ i: 0 }, { i: 1 }, { i: 2 }], truncated: true });
      expect((await s.query('SELECT 1 AS x', 1)).truncated).to.equal(false);
    } finally {
      s.close();
    }
    const closed = await s.all('SELECT 1').catch((e: unknown) => e);
    expect(closed).to.be.instanceOf(Error).with.property('message', 'DuckDBSession is closed');
  });

  it('never installs extensions on its own', async () => {
    await withSession({ tempDirectory: path.join(dir, 'spill'), threads: 1 }, undefined, async (s) => {
      const rows = await s.all("SELECT current_setting('autoinstall_known_extensions') AS install");
      expect(rows).to.deep.equal([{ install: false }]);
    });
  });
});
