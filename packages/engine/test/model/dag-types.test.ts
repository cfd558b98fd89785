import { defineDag } from '@streampro/engine';
import { expect } from 'chai';

// Type-level tests: `npm run typecheck` fails if a miswired graph compiles (each @ts-expect-error must fire).
describe('typed task graph', () => {
  it('flows upstream output types into downstream tasks and rejects undeclared upstreams', () => {
    const dag = defineDag({ id: 'typed', startDate: '2025-01-01', params: { limit: { default: 10 } } });
    const extract = dag.task({ id: 'extract', run: () => ({ rows: [1, 2, 3] }) });
    const other = dag.task({ id: 'other', run: () => 'text' });
    const load = dag.task({
      id: 'load',
      upstream: [extract],
      run: (ctx) => {
        const rows: number[] = ctx.upstream(extract).rows;
        const limit: number = ctx.params.limit;
        // @ts-expect-error `other` is not a declared upstream of `load`
        ctx.upstream(other);
        // @ts-expect-error the output of `extract` has no `count`
        ctx.upstream(extract).count;
        // @ts-expect-error params are typed from their defaults
        const wrong: string = ctx.params.limit;
        void wrong;
        return rows.length + limit;
      },
    });
    const users = dag.group('users');
    const land = users.task({ id: 'land', upstream: [load], run: (ctx) => ctx.upstream(load) * 2 });
    const landId: 'users.land' = land.id;
    dag.task({
      id: 'report',
      upstream: [land],
      run: (ctx) => {
        // @ts-expect-error the output of users.land is a number
        const s: string = ctx.upstream(land);
        return s;
      },
    });
    expect(landId).to.equal('users.land');
    expect(dag.topologicalOrder()).to.deep.equal(['extract', 'other', 'load', 'users.land', 'report']);
  });
});
