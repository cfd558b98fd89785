import { DagDefinitionError, defineDag, defineResource, isResource } from '@streampro/engine';
import { expect } from 'chai';
import { thrown } from '../support/fixtures.js';

describe('defineResource and a DAG’s resources', () => {
  it('brands what defineResource makes, and only that', () => {
    const resource = defineResource({ description: 'a number', open: () => 1 });
    expect(isResource(resource)).to.equal(true);
    expect(resource.description).to.equal('a number');
    expect(isResource({ open: () => 1 })).to.equal(false);
  });

  it('keeps `this` of a resource written as an object with methods', async () => {
    const spec = {
      opened: 0,
      open() {
        this.opened += 1;
        return this.opened;
      },
    };
    const resource = defineResource(spec);
    expect(await resource.open({} as never)).to.equal(1);
    expect(spec.opened).to.equal(1);
  });

  it('refuses a resource without open, and a close that is not a function', () => {
    const noOpen = thrown(() => defineResource({} as never));
    expect(noOpen).to.be.instanceOf(DagDefinitionError);
    expect(noOpen.message).to.equal('defineResource: open must be a function returning the resource');
    const badClose = thrown(() => defineResource({ open: () => 1, close: 'later' } as never));
    expect(badClose).to.be.instanceOf(DagDefinitionError);
    expect(badClose.message).to.equal('defineResource: close must be a function when given');
  });

  it('refuses resource names that are not identifiers and resources that are not an object', () => {
    const one = defineResource({ open: () => 1 });
    const name = thrown(() =>
      defineDag({ id: 'bad_name', startDate: '2025-01-01', resources: { 'the-lake': one } }),
    );
    expect(name).to.be.instanceOf(DagDefinitionError);
    expect(name.message).to.equal(
      `DAG 'bad_name': resource name "the-lake" is not an identifier; use letters, digits, _ or $, not starting with a digit`,
    );
    const list = thrown(() =>
      defineDag({ id: 'bad_list', startDate: '2025-01-01', resources: [one] as never }),
    );
    expect(list).to.be.instanceOf(DagDefinitionError);
    expect(list.message).to.equal("DAG 'bad_list': resources must be an object of named resources");
  });

  it('gives every task of the DAG the DAG’s resources', () => {
    const one = defineResource({ open: () => 1 });
    const dag = defineDag({ id: 'shared', startDate: '2025-01-01', resources: { one } });
    dag.task({ id: 'a', run: () => {} });
    dag.group('g').task({ id: 'b', run: () => {} });
    expect(dag.tasks.map((t) => t.resources)).to.deep.equal([{ one }, { one }]);
    expect(defineDag({ id: 'none', startDate: '2025-01-01' }).resources).to.deep.equal({});
  });
});
