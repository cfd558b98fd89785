import { DagDefinitionError, defineDag, defineResource } from '@streampro/engine';
import { expect } from 'chai';

// Type-level tests: `npm run typecheck` fails if a task can read a resource its DAG did not declare, or
// reads one as the wrong type (each @ts-expect-error must fire).

class Store {
  constructor(readonly root: string) {}
  put(key: string): string {
    return `${this.root}/${key}`;
  }
}

class Session {
  query(sql: string): number {
    return sql.length;
  }
}

describe('typed DAG resources', () => {
  it('types ctx.resources from the DAG declaration', () => {
    const store = defineResource({ open: (ctx) => new Store(ctx.env.ROOT ?? '/tmp') });
    const session = defineResource({ open: async () => new Session(), close: (s) => void s.query('') });
    const dag = defineDag({ id: 'typed_resources', startDate: '2025-01-01', resources: { store, session } });
    dag.task({
      id: 'write',
      run: async (ctx) => {
        const lake: Store = await ctx.resources.store;
        const db: Session = await ctx.resources.session;
        // @ts-expect-error the DAG declares no resource `http`
        ctx.resources.http;
        // @ts-expect-error `store` opens to a Store, not a Session
        const wrong: Session = await ctx.resources.store;
        // @ts-expect-error a resource is a promise: it must be awaited before use
        ctx.resources.store.put('k');
        // @ts-expect-error ctx.resources is read-only
        ctx.resources.store = Promise.resolve(new Store('/elsewhere'));
        void wrong;
        return lake.put('k') + db.query('select 1');
      },
    });
    dag.group('users').task({
      id: 'land',
      run: async (ctx) => {
        // @ts-expect-error groups see the same declaration
        await ctx.resources.lake;
        return (await ctx.resources.store).root;
      },
    });
    const plain = defineDag({ id: 'no_resources', startDate: '2025-01-01' });
    plain.task({
      id: 'only',
      run: (ctx) => {
        // @ts-expect-error a DAG that declares no resources gives none
        ctx.resources.store;
      },
    });
    const untyped = { store: { open: () => new Store('/') } };
    expect(() =>
      // @ts-expect-error a resource must be made with defineResource
      defineDag({ id: 'untyped', startDate: '2025-01-01', resources: untyped }),
    ).to.throw(
      DagDefinitionError,
      "DAG 'untyped': resource 'store' was not made with defineResource({ open, close })",
    );
    expect(Object.keys(dag.resources)).to.deep.equal(['store', 'session']);
  });
});
