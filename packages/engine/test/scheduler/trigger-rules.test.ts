import {
  defineDag,
  Engine,
  NonRetryableError,
  SkipTask,
  type TaskState,
  TRIGGER_RULES,
  type TriggerRule,
} from '@streampro/engine';
import { countUpstream, decideTriggerRule, type TriggerDecision } from '@streampro/engine/internal';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const CODE: Readonly<Record<string, TriggerDecision>> = {
  R: 'run',
  S: 'skip',
  U: 'upstream_failed',
  W: 'wait',
};

/**
 * Airflow's decisions for each mix of upstream states. Columns follow TRIGGER_RULES: all_success,
 * all_failed, all_done, one_success, one_failed, none_failed, none_failed_min_one_success, none_skipped,
 * always, one_done, all_skipped, all_done_min_one_success, all_done_setup_success (without setup tasks, as
 * all_done). R = run, S = skip, U = upstream_failed, W = wait.
 */
const TABLE: readonly (readonly [string, readonly TaskState[], string])[] = [
  ['no upstream', [], 'R R R R R R R R R R R R R'],
  ['all success', ['success', 'success'], 'R S R R S R R R R R S R R'],
  ['all failed', ['failed', 'failed'], 'U R R U R U U R R R S U R'],
  ['all skipped', ['skipped', 'skipped'], 'S S R S S R S S R S R S R'],
  ['all upstream_failed', ['upstream_failed', 'upstream_failed'], 'U R R U R U U R R S S U R'],
  ['success + failed', ['success', 'failed'], 'U S R R R U U R R R S R R'],
  ['success + skipped', ['success', 'skipped'], 'S S R R S R R S R R S R R'],
  ['failed + skipped', ['failed', 'skipped'], 'U S R U R U U S R R S U R'],
  ['success + upstream_failed', ['success', 'upstream_failed'], 'U S R R R U U R R R S R R'],
  ['skipped + upstream_failed', ['skipped', 'upstream_failed'], 'U S R U R U U S R S S U R'],
  ['success + running', ['success', 'running'], 'W S W R W W W W R R S W W'],
  ['failed + running', ['failed', 'running'], 'U W W W R U U W R R S W W'],
  ['skipped + running', ['skipped', 'running'], 'S S W W W W W S R W W W W'],
  ['upstream_failed + queued', ['upstream_failed', 'queued'], 'U W W W R U U W R W S W W'],
  ['success + not started', ['success', 'none'], 'W S W R W W W W R R S W W'],
  ['failed + up_for_retry', ['failed', 'up_for_retry'], 'U W W W R U U W R R S W W'],
  [
    'all still in progress',
    ['running', 'queued', 'scheduled', 'up_for_retry', 'none'],
    'W W W W W W W W R W W W W',
  ],
];

describe('trigger rules', () => {
  describe('decide', () => {
    for (const [name, states, row] of TABLE) {
      const expected = row.split(' ').map((c) => CODE[c]);
      it(`upstream ${name}: ${row}`, () => {
        expect(expected).to.have.length(TRIGGER_RULES.length);
        const actual = TRIGGER_RULES.map((rule) => decideTriggerRule(rule, countUpstream(states)));
        const labelled = (decisions: readonly (TriggerDecision | undefined)[]) =>
          Object.fromEntries(TRIGGER_RULES.map((rule, i) => [rule, decisions[i]]));
        expect(labelled(actual)).to.deep.equal(labelled(expected));
      });
    }
  });

  describe('all_done_setup_success with setup tasks upstream', () => {
    // [case, states of the upstream setups, states of the other upstream tasks, decision]
    const SETUP_TABLE: readonly (readonly [string, readonly TaskState[], readonly TaskState[], string])[] = [
      ['setup succeeded, work succeeded', ['success'], ['success'], 'R'],
      ['setup succeeded, work failed', ['success'], ['failed'], 'R'],
      ['setup succeeded, work upstream_failed and skipped', ['success'], ['upstream_failed', 'skipped'], 'R'],
      ['setup succeeded, work still running', ['success'], ['running'], 'W'],
      ['setup succeeded, work up for retry', ['success'], ['up_for_retry'], 'W'],
      ['setup failed, work upstream_failed', ['failed'], ['upstream_failed'], 'U'],
      ['setup upstream_failed, work upstream_failed', ['upstream_failed'], ['upstream_failed'], 'U'],
      ['setup skipped, work skipped', ['skipped'], ['skipped'], 'S'],
      ['setup failed, nothing else upstream', ['failed'], [], 'U'],
      ['setup still running', ['running'], [], 'W'],
      // Airflow lets a teardown run when one of its setups succeeded: that one made a resource to remove.
      ['one of two setups failed', ['success', 'failed'], ['upstream_failed'], 'R'],
      ['one setup skipped, the other succeeded', ['skipped', 'success'], ['success'], 'R'],
      ['one setup skipped, the other failed', ['skipped', 'failed'], ['upstream_failed'], 'U'],
      ['both setups skipped', ['skipped', 'skipped'], ['skipped'], 'S'],
    ];
    for (const [name, setups, others, code] of SETUP_TABLE) {
      it(`${name}: ${code}`, () => {
        const counts = countUpstream([...setups, ...others], setups);
        expect(decideTriggerRule('all_done_setup_success', counts)).to.equal(CODE[code]);
      });
    }

    it('other rules ignore which upstream tasks are setups', () => {
      const counts = countUpstream(['failed', 'success'], ['failed']);
      expect(decideTriggerRule('all_done', counts)).to.equal('run');
      expect(decideTriggerRule('one_success', counts)).to.equal('run');
    });
  });

  describe('countUpstream', () => {
    it('counts final states and ignores those still in progress', () => {
      expect(
        countUpstream(['success', 'skipped', 'failed', 'upstream_failed', 'running', 'none', 'failed']),
      ).to.deep.equal({ total: 7, success: 1, skipped: 1, failed: 2, upstreamFailed: 1 });
    });

    it('counts the upstream setups apart', () => {
      expect(countUpstream(['success', 'skipped', 'failed'], ['success', 'skipped'])).to.deep.equal({
        total: 3,
        success: 1,
        skipped: 1,
        failed: 1,
        upstreamFailed: 0,
        setups: { total: 2, success: 1, skipped: 1 },
      });
    });
  });

  describe('through Engine.run', () => {
    let home: string;
    let engine: Engine;

    beforeEach(async () => {
      home = await makeTempDir();
      engine = await Engine.open({ home });
    });

    afterEach(async () => {
      await engine.close();
      await removeDir(home);
    });

    it('propagates a skip down all_success chains; none_failed_min_one_success still runs', async () => {
      const ran: string[] = [];
      const dag = defineDag({ id: 'skips', startDate: '2025-01-01' });
      const gate = dag.task({
        id: 'gate',
        run: () => {
          ran.push('gate');
          throw new SkipTask('no new files today');
        },
      });
      const load = dag.task({ id: 'load', upstream: [gate], run: () => void ran.push('load') });
      const report = dag.task({ id: 'report', upstream: [load], run: () => void ran.push('report') });
      const other = dag.task({ id: 'other', run: () => void ran.push('other') });
      dag.task({
        id: 'join',
        upstream: [report, other],
        triggerRule: 'none_failed_min_one_success',
        run: () => void ran.push('join'),
      });

      const result = await engine.run(dag, { logicalDate: '2025-01-01' });

      expect(result.state).to.equal('success');
      expect(Object.fromEntries(result.tasks.map((t) => [t.taskId, [t.state, t.tryNumber]]))).to.deep.equal({
        gate: ['skipped', 1],
        other: ['success', 1],
        load: ['skipped', 0],
        report: ['skipped', 0],
        join: ['success', 1],
      });
      expect(ran.sort()).to.deep.equal(['gate', 'join', 'other']);
    });

    it('runs all_done and one_failed cleanup tasks after a failure; the run succeeds, as its leaves did (Airflow)', async () => {
      const ran: string[] = [];
      const dag = defineDag({ id: 'cleanup', startDate: '2025-01-01' });
      const work = dag.task({
        id: 'work',
        retries: 3,
        run: () => {
          throw new NonRetryableError('bad input file');
        },
      });
      const publish = dag.task({ id: 'publish', upstream: [work], run: () => void ran.push('publish') });
      dag.task({
        id: 'drop_temp',
        upstream: [work, publish],
        triggerRule: 'all_done',
        run: () => void ran.push('drop_temp'),
      });
      dag.task({
        id: 'alert',
        upstream: [work],
        triggerRule: 'one_failed',
        run: () => void ran.push('alert'),
      });

      const result = await engine.run(dag, { logicalDate: '2025-01-01' });

      // The leaves are drop_temp and alert: both succeeded, so the run did (work's failure is on record).
      expect(result.state).to.equal('success');
      expect(Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state]))).to.deep.equal({
        work: 'failed',
        publish: 'upstream_failed',
        drop_temp: 'success',
        alert: 'success',
      });
      expect(result.tasks.find((t) => t.taskId === 'work')?.error).to.equal('bad input file');
      expect(ran.sort()).to.deep.equal(['alert', 'drop_temp']);
    });

    it('skips one_failed cleanup and still runs all_done cleanup when everything succeeds', async () => {
      const ran: string[] = [];
      const dag = defineDag({ id: 'cleanup_ok', startDate: '2025-01-01' });
      const work = dag.task({ id: 'work', run: () => void ran.push('work') });
      dag.task({
        id: 'drop_temp',
        upstream: [work],
        triggerRule: 'all_done',
        run: () => void ran.push('drop'),
      });
      dag.task({
        id: 'alert',
        upstream: [work],
        triggerRule: 'one_failed',
        run: () => void ran.push('alert'),
      });

      const result = await engine.run(dag, { logicalDate: '2025-01-01' });

      expect(result.state).to.equal('success');
      expect(result.tasks.map((t) => [t.taskId, t.state])).to.deep.equal([
        ['work', 'success'],
        ['drop_temp', 'success'],
        ['alert', 'skipped'],
      ]);
      expect(ran).to.deep.equal(['work', 'drop']);
    });
  });
});

// Keeps the rule column order of TABLE tied to the exported list: adding a rule must extend the table.
const _columns: readonly TriggerRule[] = TRIGGER_RULES;
void _columns;
