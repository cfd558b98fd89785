import { defineDag } from '@streampro/engine';
import { expect } from 'chai';

// Type-level tests of mapped tasks: `npm run typecheck` fails if one of the @ts-expect-error lines compiles.
describe('typed mapped tasks', () => {
  it('types the item from the upstream array, the partial arguments, and the array of outputs downstream', () => {
    const dag = defineDag({ id: 'typed_map', startDate: '2025-01-01' });
    const files = dag.task({ id: 'files', run: () => [{ path: 'a.csv', bytes: 3 }] });
    const count = dag.task({ id: 'count', run: () => 7 });
    const sizes = dag.map({
      id: 'sizes',
      over: files,
      upstream: [count],
      partial: { factor: 2 },
      run: (ctx, { item, index, factor }) => {
        const path: string = item.path;
        const n: number = ctx.upstream(count);
        // @ts-expect-error an element of `files` has no `name`
        item.name;
        // @ts-expect-error the partial `factor` is a number
        const f: string = factor;
        void f;
        // @ts-expect-error `files` is mapped over, not listed in upstream: its elements come as `item`
        ctx.upstream(files);
        return path.length * item.bytes * factor + index + n;
      },
    });
    dag.task({
      id: 'total',
      upstream: [sizes],
      run: (ctx) => {
        const all: number[] = ctx.upstream(sizes);
        // @ts-expect-error downstream gets the array of outputs, not one output
        const one: number = ctx.upstream(sizes);
        void one;
        return all.reduce((a, b) => a + b, 0);
      },
    });
    // @ts-expect-error `count` outputs a number: only an array can be mapped over
    dag.map({ id: 'not_array', over: count, run: (_ctx, { item }) => item });
    const staged = dag.group('stage').map({ id: 'each', over: files, run: (_ctx, { item }) => item.bytes });
    const stagedId: 'stage.each' = staged.id;
    expect(stagedId).to.equal('stage.each');
    expect(dag.getTask('sizes')!.upstreamIds).to.deep.equal(['files', 'count']);
  });
});
