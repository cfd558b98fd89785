import path from 'node:path';
import { NonRetryableError } from '@streampro/engine';
import { expect } from 'chai';
import type { QualityCheck } from '../../src/duckdb/quality-sql.js';
import { QualityCheckFailedError, qualityChecks } from '../../src/tasks/quality-checks.js';
import { type Sandbox, sandbox } from '../duckdb/helpers.js';
import { fakeContext } from '../storage/fake-context.js';

describe('qualityChecks', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
    await box.putParquet(
      'clean/users/ingestion_date=2025-09-09/part-0.parquet',
      "SELECT * FROM (VALUES ('u1', 'free'), ('u2', 'basic'), ('u3', 'premium')) t(user_id, plan)",
    );
    await box.putParquet(
      'clean/events/ingestion_date=2025-09-09/part-0.parquet',
      `SELECT * FROM (VALUES
        ('e1', 'u1', 'play_start', TIMESTAMPTZ '2025-09-09 23:00:00+00'),
        ('e2', 'u2', 'heartbeat', TIMESTAMPTZ '2025-09-09 10:00:00+00'),
        ('e3', 'u9', 'PAUSE', TIMESTAMPTZ '2025-09-08 10:00:00+00'),
        ('e3', NULL, 'heartbeat', TIMESTAMPTZ '2025-09-08 11:00:00+00'),
        ('e4', 'u8', 'play_stop', NULL)) t(event_id, user_id, event_type, event_ts)`,
    );
  });
  afterEach(async () => {
    await box.cleanup();
  });

  const run = (checks: QualityCheck[]) => {
    const { ctx } = fakeContext('2025-09-09');
    return qualityChecks({
      dataset: { store: box.store, prefix: 'clean/events/', partitions: { values: ['2025-09-09'] } },
      checks,
      cacheDir: path.join(box.dir, 'cache'),
      workDir: box.dir,
      threads: 1,
    })(ctx);
  };
  const users = () => ({ store: box.store, prefix: 'clean/users/' });

  it('passes each kind of check on data that satisfies it', async () => {
    await box.putParquet(
      'clean/all_users/part-0.parquet',
      "SELECT unnest(['u1', 'u2', 'u8', 'u9']) AS user_id",
    );
    const out = await run([
      { kind: 'row_count', min: 1, max: 5 },
      { kind: 'not_null', columns: ['event_id', 'event_type'] },
      { kind: 'unique', columns: ['event_id', 'event_ts'] },
      {
        kind: 'accepted_values',
        column: 'event_type',
        values: ['play_start', 'heartbeat', 'play_stop', 'PAUSE'],
      },
      {
        kind: 'relationship',
        column: 'user_id',
        to: { store: box.store, prefix: 'clean/all_users/' },
        toColumn: 'user_id',
      },
      { kind: 'freshness', column: 'event_ts', maxAgeHours: 2 },
    ]);
    expect(out.passed).to.equal(true);
    expect(out.results.map((r) => [r.name, r.passed, r.observed])).to.deep.equal([
      ['row_count', true, 5],
      ['not_null(event_id,event_type)', true, { event_id: 0, event_type: 0 }],
      ['unique(event_id,event_ts)', true, 0],
      ['accepted_values(event_type)', true, 0],
      ['relationship(user_id->user_id)', true, 0],
      ['freshness(event_ts)', true, '2025-09-09T23:00:00.000Z'],
    ]);
    expect(out.results[5]?.expected).to.equal(
      '>= 2025-09-09T22:00:00.000Z (2h before 2025-09-10T00:00:00.000Z)',
    );
  });

  it('reports each failing check with observed values and examples, failing on blocking ones', async () => {
    const error = await run([
      { kind: 'row_count', min: 10 },
      { kind: 'not_null', columns: ['user_id', 'event_ts'] },
      { kind: 'unique', columns: ['event_id'] },
      { kind: 'accepted_values', column: 'event_type', values: ['play_start', 'heartbeat', 'play_stop'] },
      { kind: 'relationship', column: 'user_id', to: users(), toColumn: 'user_id' },
      { kind: 'freshness', column: 'event_ts', maxAgeHours: 0.5, blocking: false },
    ]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(QualityCheckFailedError);
    expect(error).to.be.instanceOf(NonRetryableError);
    const failed = error as QualityCheckFailedError;
    const byName = Object.fromEntries(failed.results.map((r) => [r.name, r]));
    expect(byName.row_count).to.include({ passed: false, observed: 5 });
    expect(byName['not_null(user_id,event_ts)']?.observed).to.deep.equal({ user_id: 1, event_ts: 1 });
    expect(byName['unique(event_id)']).to.deep.include({
      passed: false,
      observed: 1,
      examples: [{ event_id: 'e3', n: 2 }],
    });
    expect(byName['accepted_values(event_type)']).to.deep.include({
      passed: false,
      observed: 1,
      examples: ['PAUSE'],
    });
    expect(byName['relationship(user_id->user_id)']).to.deep.include({
      passed: false,
      observed: 2,
      examples: ['u8', 'u9'],
    });
    expect(byName['freshness(event_ts)']).to.include({ passed: false, blocking: false });
    const lines = failed.message.split('\n');
    expect(lines[0]).to.equal('5 blocking quality check(s) failed on clean/events/:');
    expect(lines[1]).to.match(/^check +\| kind +\| blocking \| observed +\| expected +\| examples$/);
    expect(lines.find((l) => l.startsWith('relationship(user_id->user_id)'))).to.match(
      /\| relationship +\| yes +\| 2 +\| 0 orphan rows +\| "u8", "u9"$/,
    );
    expect(lines).to.have.length(3 + 6);
  });

  it('passes the task when only non-blocking checks fail', async () => {
    const out = await run([{ kind: 'row_count', max: 2, blocking: false }]);
    expect(out.passed).to.equal(true);
    expect(out.results[0]).to.include({ passed: false, blocking: false });
  });

  it('rejects checks that cannot be evaluated when declared', () => {
    expect(() =>
      qualityChecks({
        dataset: { store: box.store, prefix: 'x/' },
        checks: [{ kind: 'row_count' }, { kind: 'unique', columns: [] }],
      }),
    ).to.throw(
      NonRetryableError,
      'invalid quality checks: row_count: set min and/or max; unique(): columns is empty',
    );
  });
});
