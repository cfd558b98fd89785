import type { ResourceSpecs, TaskContext } from '@streampro/engine';
import type { DuckDBSession, ObjectStore } from '@streampro/operators';
import { expect } from 'chai';
import analytics from '../../dags/analytics.js';
import { DATASET, DATASETS } from '../../dags/lib/streampro/datasets.js';
import type { LandingFolder } from '../../dags/lib/streampro/resources.js';
import streampro from '../../dags/streampro.js';
import { DATE, lakeKeys, landingFile } from './support/sandbox.js';

type ContextOf<D extends { readonly resources: ResourceSpecs }> = TaskContext<
  Record<never, never>,
  readonly [],
  D['resources']
>;

// Type-level: `npm run typecheck` fails if these DAGs' tasks could read a resource they do not declare.
async function streamproTaskTypes(ctx: ContextOf<typeof streampro>): Promise<void> {
  const lake: ObjectStore = await ctx.resources.lake;
  const landing: LandingFolder = await ctx.resources.landing;
  const salt: string = await ctx.resources.salt;
  // @ts-expect-error streampro's tasks have no DuckDB session (their operators open their own)
  await ctx.resources.duckdb;
  // @ts-expect-error the salt is a string, not a store
  const wrong: ObjectStore = await ctx.resources.salt;
  void [lake, landing, salt, wrong];
}

async function analyticsTaskTypes(ctx: ContextOf<typeof analytics>): Promise<void> {
  const session: DuckDBSession = await ctx.resources.duckdb;
  const lake: ObjectStore = await ctx.resources.lake;
  // @ts-expect-error analytics reads no landing file
  await ctx.resources.landing;
  void [session, lake];
}

describe('streampro datasets and resources', () => {
  it('keeps the documented lake layout and landing file names', () => {
    for (const name of DATASETS) {
      expect(DATASET[name].landingFile(DATE)).to.equal(landingFile(name, DATE));
      expect(DATASET[name].keys(DATE)).to.deep.equal(lakeKeys(name, DATE));
      expect(DATASET[name].asset).to.equal(`lake://trusted/${name}`);
    }
  });

  it('takes each key column from its schema’s dedup key, and points events at the other three', () => {
    expect(DATASETS.map((d) => DATASET[d].key)).to.deep.equal([
      'user_id',
      'video_id',
      'device_id',
      'event_id',
    ]);
    expect(DATASET.events.references).to.deep.equal([
      { column: 'user_id', dataset: 'users' },
      { column: 'device_id', dataset: 'devices' },
      { column: 'video_id', dataset: 'videos' },
    ]);
  });

  it('declares the resources each DAG’s tasks use', () => {
    expect(Object.keys(streampro.resources)).to.deep.equal(['lake', 'landing', 'salt']);
    expect(Object.keys(analytics.resources)).to.deep.equal(['lake', 'duckdb']);
    expect(analytics.resources.lake).to.equal(streampro.resources.lake);
    // The type-level checks above only need to compile; they are never called.
    expect([streamproTaskTypes, analyticsTaskTypes].map((f) => typeof f)).to.deep.equal([
      'function',
      'function',
    ]);
  });
});
