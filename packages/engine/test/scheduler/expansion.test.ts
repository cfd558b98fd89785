import { baseTaskId, defineDag, MapExpansionError, mappedTaskId, parseMappedTaskId } from '@streampro/engine';
import { expansionOf, mappedOutcome } from '@streampro/engine/internal';
import { expect } from 'chai';

describe('expansionOf / mappedOutcome', () => {
  const dag = defineDag({ id: 'exp', startDate: '2025-01-01' });
  const list = dag.task({ id: 'list', run: () => [1] });
  dag.map({ id: 'each', over: list, maxMapLength: 3, run: (_ctx, { item }) => item });
  const def = dag.getTask('each')!;

  it('expands an array within the limit, skips an empty one, fails past the limit or on a non-array', () => {
    expect(expansionOf(def, [1, 2, 3])).to.deep.equal({ kind: 'expand', items: [1, 2, 3] });
    expect(expansionOf(def, [])).to.deep.equal({ kind: 'skip', reason: 'list returned an empty array' });
    const long = expansionOf(def, [1, 2, 3, 4]);
    expect(long.kind).to.equal('fail');
    if (long.kind !== 'fail') return;
    expect(long.error).to.be.instanceOf(MapExpansionError);
    expect(long.error.message).to.equal(
      'mapped task each would expand into 4 instances, more than its limit of 3; raise maxMapLength on each or return fewer items from list',
    );
    const none = expansionOf(def, null);
    expect(none.kind === 'fail' && none.error.message).to.equal(
      'mapped task each needs an array from list, got null; make list return an array',
    );
  });

  it('aggregates instance states: any failure fails, all skipped skips, else success', () => {
    expect(mappedOutcome(['success', 'skipped'])).to.deep.equal({ state: 'success' });
    expect(mappedOutcome(['skipped', 'skipped'])).to.deep.equal({ state: 'skipped' });
    expect(mappedOutcome(['success', 'failed', 'upstream_failed'])).to.deep.equal({
      state: 'failed',
      error: '2 of 3 mapped instances failed: index 1, 2',
    });
    const many = mappedOutcome(Array.from({ length: 12 }, () => 'failed' as const));
    expect(many.error).to.equal(
      '12 of 12 mapped instances failed: index 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (2 more)',
    );
  });

  it('names instances <task>[<index>] and reads such names back', () => {
    expect(mappedTaskId('stage.load', 12)).to.equal('stage.load[12]');
    expect(parseMappedTaskId('stage.load[12]')).to.deep.equal({ taskId: 'stage.load', index: 12 });
    expect(parseMappedTaskId('load[01]')).to.equal(undefined);
    expect(parseMappedTaskId('load[-1]')).to.equal(undefined);
    expect(parseMappedTaskId('load')).to.equal(undefined);
    expect(baseTaskId('load[3]')).to.equal('load');
    expect(baseTaskId('load')).to.equal('load');
  });
});
