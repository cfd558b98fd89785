import { defineDag, Engine, MemoryRunStore, type RunStore } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-05';
const ISO = '2025-01-05T00:00:00.000Z';

const stores: readonly [string, () => RunStore | undefined][] = [
  ['SqliteRunStore', () => undefined],
  ['MemoryRunStore', () => new MemoryRunStore()],
];

for (const [storeName, makeStore] of stores) {
  describe(`Engine.run: params of a resumed run (${storeName})`, () => {
    let home: string;
    let engine: Engine;
    /** `[batch, token]` each execution of task `t` saw. */
    let seen: [number, string][];

    function paramsDag() {
      const dag = defineDag({
        id: 'p',
        startDate: '2025-01-01',
        schedule: '@daily',
        params: { batch: { default: 1 }, label: { default: 'a' }, token: { default: 'unset', secret: true } },
      });
      const t = dag.task({
        id: 't',
        run: (ctx) => void seen.push([ctx.params.batch, ctx.params.token]),
      });
      dag.task({ id: 'after', upstream: [t], run: () => 'done' });
      return dag;
    }

    async function recorded() {
      return (await engine.store.findRunByLogicalDate('p', ISO))?.params;
    }

    beforeEach(async () => {
      home = await makeTempDir();
      const store = makeStore();
      engine = await Engine.open({ home, ...(store ? { store } : {}) });
      seen = [];
    });

    afterEach(async () => {
      await engine.close();
      await removeDir(home);
    });

    it('re-runs a cleared task with the params the run was started with, not the defaults', async () => {
      const dag = paramsDag();
      const first = await engine.run(dag, { logicalDate: DAY, params: { batch: '7' } });
      expect(first.state).to.equal('success');
      expect(await recorded()).to.deep.equal({ batch: 7, label: 'a' });

      await engine.clear(dag, DAY, { tasks: ['t'] });
      // The CLI always passes an object: no --param is an empty one.
      const resumed = await engine.run(dag, { logicalDate: DAY, params: {} });
      expect(resumed.state).to.equal('success');
      await engine.clear(dag, DAY, { tasks: ['t'] });
      await engine.run(dag, { logicalDate: DAY });

      expect(seen.map(([batch]) => batch)).to.deep.equal([7, 7, 7]);
      expect(await recorded()).to.deep.equal({ batch: 7, label: 'a' });
    });

    it('applies params given to an existing run and records them, keeping the other recorded ones', async () => {
      const dag = paramsDag();
      await engine.run(dag, { logicalDate: DAY, params: { batch: 7, label: 'b' } });
      await engine.clear(dag, DAY, { tasks: ['t'] });

      await engine.run(dag, { logicalDate: DAY, params: { batch: '9' } });
      expect(await recorded()).to.deep.equal({ batch: 9, label: 'b' });

      await engine.clear(dag, DAY, { tasks: ['t'] });
      await engine.run(dag, { logicalDate: DAY });
      expect(seen.map(([batch]) => batch)).to.deep.equal([7, 9, 9]);
    });

    it('changes nothing for an already-succeeded run unless it is forced', async () => {
      const dag = paramsDag();
      await engine.run(dag, { logicalDate: DAY, params: { batch: 7 } });

      const skipped = await engine.run(dag, { logicalDate: DAY, params: { batch: 8 } });
      expect(skipped.alreadyDone).to.equal(true);
      expect(await recorded()).to.deep.equal({ batch: 7, label: 'a' });

      const forced = await engine.run(dag, { logicalDate: DAY, params: { batch: 8 }, force: true });
      expect(forced.alreadyDone).to.equal(false);
      expect(await recorded()).to.deep.equal({ batch: 8, label: 'a' });
      expect(seen.map(([batch]) => batch)).to.deep.equal([7, 8]);
    });

    it('never records a secret value: a resume gets it from the caller again, or the default', async () => {
      const dag = paramsDag();
      await engine.run(dag, { logicalDate: DAY, params: { batch: 7, token: 's3cr3t' } });
      expect(await recorded()).to.deep.equal({ batch: 7, label: 'a' });

      await engine.clear(dag, DAY, { tasks: ['t'] });
      await engine.run(dag, { logicalDate: DAY, params: { token: 'again' } });
      expect(await recorded()).to.deep.equal({ batch: 7, label: 'a' });
      await engine.clear(dag, DAY, { tasks: ['t'] });
      await engine.run(dag, { logicalDate: DAY });

      expect(seen).to.deep.equal([
        [7, 's3cr3t'],
        [7, 'again'],
        [7, 'unset'],
      ]);
    });

    it('drops recorded params the DAG no longer declares', async () => {
      await engine.run(paramsDag(), { logicalDate: DAY, params: { batch: 7, label: 'b' } });
      const renamed = defineDag({
        id: 'p',
        startDate: '2025-01-01',
        schedule: '@daily',
        params: { batch: { default: 1 } },
      });
      renamed.task({ id: 't', run: (ctx) => void seen.push([ctx.params.batch, '']) });
      await engine.clear(renamed, DAY, { tasks: ['t'] });

      const resumed = await engine.run(renamed, { logicalDate: DAY });
      expect(resumed.state).to.equal('success');
      expect(seen.at(-1)).to.deep.equal([7, '']);
      expect(await recorded()).to.deep.equal({ batch: 7 });
    });
  });
}
