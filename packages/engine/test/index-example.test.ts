import path from 'node:path';
import { defineDag, Engine, NonRetryableError } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from './support/fixtures.js';

// The example at the top of src/index.ts, verbatim but for the home folder: it must compile and run.
describe('the usage example of the package index', () => {
  let home: string;
  beforeEach(async () => {
    home = await makeTempDir();
  });
  afterEach(() => removeDir(home));

  it('runs as written', async () => {
    const daily = defineDag({
      id: 'daily_counts',
      schedule: '@daily',
      startDate: '2025-09-01',
      params: { limit: { default: 1000 } },
      defaultTaskOptions: { retries: 2, retryDelay: 5_000, executionTimeout: 60_000 },
    });
    const extract = daily.task({ id: 'extract', run: async (ctx) => [ctx.ds, ctx.params.limit] as const });
    daily.task({
      id: 'load',
      upstream: [extract],
      run: (ctx) => {
        const [ds, limit] = ctx.upstream(extract);
        if (limit < 1) throw new NonRetryableError('limit must be positive');
        ctx.log.info('loading', { ds });
      },
    });
    const engine = await Engine.open({ home: path.join(home, '.streampro') });
    const result = await engine.run(daily, { logicalDate: '2025-09-09' });
    await engine.close();
    expect(result.state).to.equal('success');
    expect(result.tasks.find((t) => t.taskId === 'extract')?.output).to.deep.equal(['2025-09-09', 1000]);
  });
});
