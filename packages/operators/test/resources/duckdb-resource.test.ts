import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { duckdbResource } from '../../src/resources/duckdb-resource.js';
import { resourceContext } from './resource-context.js';

describe('duckdbResource', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'streampro-duckdb-resource-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('opens a UTC session spilling into a work folder of its own, and removes both on close', async () => {
    const duckdb = duckdbResource({ workDir: dir, label: 'try-', threads: 1 });
    const session = await duckdb.open(resourceContext({}).ctx);
    const [work] = fs.readdirSync(dir);
    expect(work).to.match(/^try-/);
    const { rows } = await session.query("SELECT current_setting('TimeZone') AS tz, 40 + 2 AS answer", 10);
    expect(rows).to.deep.equal([{ tz: 'UTC', answer: 42 }]);
    await duckdb.close?.(session);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    expect(() => session.connection).to.throw(Error, 'DuckDBSession is closed');
  });

  it('interrupts the running statement when the try is aborted', async () => {
    const duckdb = duckdbResource({ workDir: dir, threads: 1 });
    const { ctx, controller } = resourceContext({});
    const session = await duckdb.open(ctx);
    try {
      const running = session.query(
        'SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b',
        1,
      );
      setTimeout(() => controller.abort(new Error('cancelled')), 200);
      let error: unknown;
      try {
        await running;
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/INTERRUPT/i);
    } finally {
      await duckdb.close?.(session);
    }
  });

  it('refuses to open for a try already aborted, leaving no folder', async () => {
    const duckdb = duckdbResource({ workDir: dir });
    const { ctx, controller } = resourceContext({});
    controller.abort(new Error('stopped before it began'));
    let error: unknown;
    try {
      await duckdb.open(ctx);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).to.equal('stopped before it began');
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });
});
