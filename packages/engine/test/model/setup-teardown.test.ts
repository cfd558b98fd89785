import { DagDefinitionError, defineDag, type TaskRef } from '@streampro/engine';
import { roleGraphOf, runDeciders, withSetupsAndTeardowns } from '@streampro/engine/internal';
import { expect } from 'chai';
import { thrown } from '../support/fixtures.js';

function definitionError(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).to.be.instanceOf(DagDefinitionError);
  return error.message;
}

const noop = (): void => {};

/**
 * create -> load -> report -> delete (teardown of create, also downstream of create), publish after report,
 * and an unrelated task `other`.
 */
function cluster(options: { failRunOnFailure?: boolean } = {}) {
  const dag = defineDag({ id: 'cluster', startDate: '2025-01-01' });
  const create = dag.task({ id: 'create', setup: true, run: noop });
  const load = dag.task({ id: 'load', upstream: [create], run: noop });
  const report = dag.task({ id: 'report', upstream: [load], run: noop });
  dag.task({ id: 'publish', upstream: [report], run: noop });
  dag.task({ id: 'delete', teardownOf: [create], upstream: [report], run: noop, ...options });
  dag.task({ id: 'other', run: noop });
  return dag;
}

/** Two nested scopes: outer_up -> inner_up -> work -> inner_down -> outer_down. */
function nested() {
  const dag = defineDag({ id: 'nested', startDate: '2025-01-01' });
  const outerUp = dag.task({ id: 'outer_up', setup: true, run: noop });
  const innerUp = dag.task({ id: 'inner_up', setup: true, upstream: [outerUp], run: noop });
  const work = dag.task({ id: 'work', upstream: [innerUp], run: noop });
  const innerDown: TaskRef<void, 'inner_down'> = dag.task({
    id: 'inner_down',
    teardownOf: [innerUp],
    upstream: [work],
    run: noop,
  });
  dag.task({ id: 'outer_down', teardownOf: [outerUp], upstream: [innerDown], run: noop });
  return dag;
}

describe('setup and teardown tasks', () => {
  describe('declaring them', () => {
    it('gives a teardown its setups as upstream and the trigger rule all_done_setup_success', () => {
      const dag = defineDag({
        id: 'd',
        startDate: '2025-01-01',
        defaultTaskOptions: { triggerRule: 'none_failed' },
      });
      const create = dag.task({ id: 'create', setup: true, run: noop });
      const work = dag.task({ id: 'work', upstream: [create], run: noop });
      dag.task({ id: 'delete', teardownOf: [create], upstream: [work], run: noop });
      const teardown = dag.getTask('delete')!;
      expect(teardown.upstreamIds).to.deep.equal(['work', 'create']);
      expect(dag.graph.upstreamOf('delete')).to.have.members(['work', 'create']);
      expect(teardown.options.triggerRule).to.equal('all_done_setup_success');
      expect(teardown.role).to.deep.equal({ kind: 'teardown', setups: ['create'], failRunOnFailure: false });
      expect(dag.getTask('create')!.role).to.deep.equal({ kind: 'setup' });
      expect(dag.getTask('work')!.role).to.deep.equal({ kind: 'work' });
      expect(dag.getTask('work')!.options.triggerRule).to.equal('none_failed');
    });

    const cases: readonly [string, (dag: ReturnType<typeof defineDag>) => void, string][] = [
      [
        'a teardown of a task that is not a setup',
        (dag) => {
          const plain = dag.task({ id: 'plain', run: noop });
          dag.task({ id: 'down', teardownOf: [plain], run: noop });
        },
        "DAG 'd' task 'down': teardownOf names 'plain', which is not a setup task; declare it with setup: true",
      ],
      [
        'a teardown with no setup',
        (dag) => dag.task({ id: 'down', teardownOf: [], run: noop }),
        "DAG 'd' task 'down': teardownOf must list at least one setup task",
      ],
      [
        'a task both setup and teardown',
        (dag) => {
          const up = dag.task({ id: 'up', setup: true, run: noop });
          dag.task({ id: 'down', setup: true, teardownOf: [up], run: noop });
        },
        "DAG 'd' task 'down': a task is a setup or a teardown, not both",
      ],
      [
        'a teardown with another trigger rule',
        (dag) => {
          const up = dag.task({ id: 'up', setup: true, run: noop });
          dag.task({ id: 'down', teardownOf: [up], triggerRule: 'all_success', run: noop });
        },
        "DAG 'd' task 'down': a teardown runs by trigger rule all_done_setup_success; remove triggerRule 'all_success'",
      ],
      [
        'failRunOnFailure on a task that is no teardown',
        (dag) => dag.task({ id: 'work', failRunOnFailure: true, run: noop }),
        "DAG 'd' task 'work': failRunOnFailure is for teardown tasks; add teardownOf: [<setup task>] or remove it",
      ],
      [
        'a setup flag that is not a boolean',
        (dag) => dag.task({ id: 'up', setup: 'yes' as unknown as boolean, run: noop }),
        `DAG 'd' task 'up': setup must be a boolean, got "yes"`,
      ],
      [
        'a teardown of a setup of another DAG',
        (dag) => {
          const elsewhere = defineDag({ id: 'e', startDate: '2025-01-01' });
          const up = elsewhere.task({ id: 'up', setup: true, run: noop });
          dag.task({ id: 'down', teardownOf: [up], run: noop });
        },
        `DAG 'd' task 'down' teardownOf: upstream "up" is not a task declared earlier in this DAG`,
      ],
    ];
    for (const [name, declare, message] of cases) {
      it(`rejects ${name}`, () => {
        expect(definitionError(() => declare(defineDag({ id: 'd', startDate: '2025-01-01' })))).to.equal(
          message,
        );
      });
    }
  });

  describe('runDeciders', () => {
    it('lets a leaf teardown stand aside for its upstream tasks', () => {
      expect([...runDeciders(roleGraphOf(cluster()))].sort()).to.deep.equal([
        'create',
        'other',
        'publish',
        'report',
      ]);
    });

    it('keeps a teardown with failRunOnFailure as a leaf', () => {
      expect([...runDeciders(roleGraphOf(cluster({ failRunOnFailure: true })))].sort()).to.deep.equal([
        'delete',
        'other',
        'publish',
      ]);
    });

    it('follows teardowns of nested scopes up to the work', () => {
      expect([...runDeciders(roleGraphOf(nested()))].sort()).to.deep.equal(['inner_up', 'outer_up', 'work']);
    });
  });

  describe('withSetupsAndTeardowns', () => {
    const table: readonly [
      string,
      () => ReturnType<typeof defineDag>,
      readonly string[],
      readonly string[],
    ][] = [
      ['a task in scope', cluster, ['load'], ['create', 'delete', 'load']],
      ['the setup', cluster, ['create'], ['create', 'delete']],
      ['the teardown', cluster, ['delete'], ['create', 'delete']],
      ['a task after the scope', cluster, ['publish'], ['publish']],
      ['a task outside any scope', cluster, ['other'], ['other']],
      [
        'the inner work of nested scopes',
        nested,
        ['work'],
        ['inner_down', 'inner_up', 'outer_down', 'outer_up', 'work'],
      ],
      ['the inner setup', nested, ['inner_up'], ['inner_down', 'inner_up', 'outer_down', 'outer_up']],
      ['the outer teardown', nested, ['outer_down'], ['outer_down', 'outer_up']],
    ];
    for (const [name, build, given, want] of table) {
      it(`clearing ${name} (${given.join(', ')}) clears ${want.join(', ')}`, () => {
        expect([...withSetupsAndTeardowns(roleGraphOf(build()), given)].sort()).to.deep.equal(want);
      });
    }
  });
});
