import { getEventListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  defineDag,
  Engine,
  type EngineOptions,
  InvalidInputError,
  MAX_OUTPUT_BYTES,
  ManualClock,
  NonRetryableError,
  NotFoundError,
  OutputNotSerializableError,
  OutputTooLargeError,
  RetryAfter,
  type RunResult,
  SkipTask,
  TaskInterruptedError,
  TaskTimeoutError,
} from '@streampro/engine';
import { expect } from 'chai';
import { ConcurrencyProbe, deferred, makeTempDir, rejection, removeDir } from '../support/fixtures.js';

const T0 = Date.UTC(2025, 0, 1);
const DAY = '2025-01-05';
const RUN_ID = `manual__${DAY}`;

const stateOf = (result: RunResult, taskId: string) => result.tasks.find((t) => t.taskId === taskId);
const states = (result: RunResult) => Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state]));

describe('Engine.run', () => {
  let home: string;
  const engines: Engine[] = [];

  async function open(options: Partial<EngineOptions> = {}): Promise<Engine> {
    const engine = await Engine.open({ home, ...options });
    engines.push(engine);
    return engine;
  }

  beforeEach(async () => {
    home = await makeTempDir();
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    await removeDir(home);
  });

  it('runs tasks in dependency order and passes typed outputs downstream', async () => {
    const engine = await open();
    const seen: Record<string, unknown> = {};
    const dag = defineDag({
      id: 'etl',
      startDate: '2025-01-01',
      schedule: '@daily',
      params: { factor: { default: 2 } },
    });
    const extract = dag.task({ id: 'extract', run: () => ({ rows: [1, 2, 3] }) });
    const transform = dag.task({
      id: 'transform',
      upstream: [extract],
      run: (ctx) => ctx.upstream(extract).rows.map((r) => r * ctx.params.factor),
    });
    dag.task({
      id: 'load',
      upstream: [extract, transform],
      run: (ctx) => {
        seen.ctx = {
          dagId: ctx.dagId,
          runId: ctx.runId,
          taskId: ctx.taskId,
          tryNumber: ctx.tryNumber,
          maxTries: ctx.maxTries,
          ds: ctx.ds,
          logicalDate: ctx.logicalDate,
          dataInterval: ctx.dataInterval,
        };
        return {
          loaded: ctx.upstream(transform).length,
          sum: ctx.upstream(transform).reduce((a, b) => a + b),
        };
      },
    });

    const result = await engine.run(dag, { logicalDate: DAY, params: { factor: '10' } });

    expect(result).to.deep.include({
      dagId: 'etl',
      runId: RUN_ID,
      logicalDate: '2025-01-05T00:00:00.000Z',
      runType: 'manual',
      state: 'success',
      alreadyDone: false,
      triggered: [],
    });
    expect(result.tasks.map((t) => [t.taskId, t.state, t.tryNumber, t.output])).to.deep.equal([
      ['extract', 'success', 1, { rows: [1, 2, 3] }],
      ['transform', 'success', 1, [10, 20, 30]],
      ['load', 'success', 1, { loaded: 3, sum: 60 }],
    ]);
    expect(seen.ctx).to.deep.equal({
      dagId: 'etl',
      runId: RUN_ID,
      taskId: 'load',
      tryNumber: 1,
      maxTries: 1,
      ds: DAY,
      logicalDate: '2025-01-05T00:00:00.000Z',
      dataInterval: { start: '2025-01-05T00:00:00.000Z', end: '2025-01-06T00:00:00.000Z' },
    });
    const stored = await engine.store.getRun('etl', RUN_ID);
    expect(stored).to.deep.include({ state: 'success', lease: null, params: { factor: 10 } });
    const tries = await engine.tries('etl', RUN_ID);
    expect(tries.map((t) => [t.taskId, t.tryNumber, t.state])).to.deep.equal([
      ['extract', 1, 'success'],
      ['load', 1, 'success'],
      ['transform', 1, 'success'],
    ]);
  });

  it('rejects unknown params before creating a run', async () => {
    const engine = await open();
    const dag = defineDag({ id: 'p', startDate: '2025-01-01', params: { limit: { default: 1 } } });
    dag.task({ id: 't', run: () => 1 });
    const error = await rejection(engine.run(dag, { logicalDate: DAY, params: { limt: 5 } }));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.equal("unknown param 'limt' for DAG 'p'; known params: limit");
    expect(await engine.listRuns('p')).to.deep.equal([]);
  });

  describe('retries and errors', () => {
    it('retries a failing task with exponential delays measured on the clock', async () => {
      const clock = new ManualClock(T0, { autoAdvance: true });
      const engine = await open({ clock });
      const startedAt: number[] = [];
      const dag = defineDag({ id: 'flaky', startDate: '2025-01-01' });
      dag.task({
        id: 'fetch',
        retries: 3,
        retryDelay: 60_000,
        retryExponentialBackoff: true,
        run: (ctx) => {
          startedAt.push(clock.now());
          expect(ctx.maxTries).to.equal(4);
          if (ctx.tryNumber < 3) throw new Error(`server said 503 on try ${ctx.tryNumber}`);
          return 'ok';
        },
      });
      const events: string[] = [];

      const result = await engine.run(dag, {
        logicalDate: DAY,
        onEvent: (e) => {
          if (e.type === 'task-state') events.push(`${e.state}#${e.tryNumber}`);
        },
      });

      expect(result.state).to.equal('success');
      expect(stateOf(result, 'fetch')).to.deep.include({ state: 'success', tryNumber: 3, output: 'ok' });
      expect(startedAt.map((t) => t - startedAt[0]!)).to.deep.equal([0, 60_000, 180_000]);
      const tries = await engine.tries('flaky', RUN_ID, 'fetch');
      expect(tries.map((t) => [t.tryNumber, t.state, t.errorMessage])).to.deep.equal([
        [1, 'up_for_retry', 'server said 503 on try 1'],
        [2, 'up_for_retry', 'server said 503 on try 2'],
        [3, 'success', null],
      ]);
      expect(events).to.include.members(['up_for_retry#1', 'scheduled#1', 'queued#2', 'up_for_retry#2']);
      expect(events.at(-1)).to.equal('success#3');
    });

    it('records nextTryAt while a task waits for its retry', async () => {
      const clock = new ManualClock(T0);
      const engine = await open({ clock });
      const dag = defineDag({ id: 'wait', startDate: '2025-01-01' });
      dag.task({
        id: 't',
        retries: 1,
        retryDelay: 90_000,
        run: (ctx) => {
          if (ctx.tryNumber === 1) throw new Error('first try fails');
        },
      });
      const waiting = deferred();
      const running = engine.run(dag, {
        logicalDate: DAY,
        onEvent: (e) => {
          if (e.type === 'task-state' && e.state === 'up_for_retry') waiting.resolve();
        },
      });
      await waiting.promise;
      await new Promise<void>((resolve) => setImmediate(resolve));
      const [ti] = await engine.store.listTaskInstances('wait', RUN_ID);
      expect(ti).to.deep.include({
        state: 'up_for_retry',
        tryNumber: 1,
        nextTryAt: '2025-01-01T00:01:30.000Z',
      });
      clock.advance(90_000);
      const result = await running;
      expect(stateOf(result, 't')).to.deep.include({ state: 'success', tryNumber: 2 });
      expect((await engine.store.listTaskInstances('wait', RUN_ID))[0]?.nextTryAt).to.equal(null);
    });

    it('fails after the last retry with the last error', async () => {
      const engine = await open({ clock: new ManualClock(T0, { autoAdvance: true }) });
      const dag = defineDag({ id: 'hopeless', startDate: '2025-01-01' });
      const a = dag.task({
        id: 'a',
        retries: 1,
        run: (ctx) => {
          throw new Error(`broken ${ctx.tryNumber}`);
        },
      });
      dag.task({ id: 'b', upstream: [a], run: () => 1 });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(result.state).to.equal('failed');
      expect(stateOf(result, 'a')).to.deep.include({ state: 'failed', tryNumber: 2, error: 'broken 2' });
      expect(stateOf(result, 'b')).to.deep.include({ state: 'upstream_failed', tryNumber: 0 });
    });

    it('fails at once on NonRetryableError, whatever retries remain', async () => {
      const engine = await open({ clock: new ManualClock(T0, { autoAdvance: true }) });
      let calls = 0;
      const dag = defineDag({ id: 'fatal', startDate: '2025-01-01' });
      dag.task({
        id: 't',
        retries: 5,
        run: () => {
          calls++;
          throw new NonRetryableError('schema mismatch in column amount');
        },
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(calls).to.equal(1);
      expect(stateOf(result, 't')).to.deep.include({
        state: 'failed',
        tryNumber: 1,
        error: 'schema mismatch in column amount',
      });
      const [attempt] = await engine.tries('fatal', RUN_ID);
      expect(attempt).to.deep.include({ errorName: 'NonRetryableError', state: 'failed' });
    });

    it('waits the delay a RetryAfter asks for instead of the policy delay', async () => {
      const clock = new ManualClock(T0, { autoAdvance: true });
      const engine = await open({ clock });
      const startedAt: number[] = [];
      const dag = defineDag({ id: 'rate', startDate: '2025-01-01' });
      dag.task({
        id: 't',
        retries: 1,
        retryDelay: 1000,
        run: (ctx) => {
          startedAt.push(clock.now());
          if (ctx.tryNumber === 1) throw new RetryAfter(45_000, 'rate limited (429)');
          return 'done';
        },
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(stateOf(result, 't')).to.deep.include({ state: 'success', tryNumber: 2 });
      expect(startedAt[1]! - startedAt[0]!).to.equal(45_000);
      const [first] = await engine.tries('rate', RUN_ID);
      expect(first).to.deep.include({ errorName: 'RetryAfter', errorMessage: 'rate limited (429)' });
    });

    it('marks a task raising SkipTask skipped, with its reason in the log', async () => {
      const engine = await open();
      const dag = defineDag({ id: 'skip', startDate: '2025-01-01' });
      dag.task({
        id: 't',
        retries: 2,
        run: () => {
          throw new SkipTask('holiday: nothing to load');
        },
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(result.state).to.equal('success');
      expect(stateOf(result, 't')).to.deep.include({ state: 'skipped', tryNumber: 1, error: null });
      const log = await readFile(stateOf(result, 't')!.logPath!, 'utf8');
      expect(log).to.contain('task skipped: holiday: nothing to load');
    });

    it('fails a task whose output is too large, without retrying', async () => {
      const engine = await open({ clock: new ManualClock(T0, { autoAdvance: true }) });
      let calls = 0;
      const dag = defineDag({ id: 'big', startDate: '2025-01-01' });
      dag.task({
        id: 'dump',
        retries: 3,
        run: () => {
          calls++;
          return 'x'.repeat(MAX_OUTPUT_BYTES);
        },
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(calls).to.equal(1);
      const size = MAX_OUTPUT_BYTES + 2;
      const expected = new OutputTooLargeError('dump', size, MAX_OUTPUT_BYTES).message;
      expect(expected).to.equal(
        `output of task 'dump' is ${size} bytes as JSON, above the limit of ${MAX_OUTPUT_BYTES} bytes: ` +
          'write large data to storage and return its location instead',
      );
      expect(stateOf(result, 'dump')).to.deep.include({ state: 'failed', error: expected, output: null });
      const [attempt] = await engine.tries('big', RUN_ID);
      expect(attempt?.errorName).to.equal('OutputTooLargeError');
    });

    it('fails a task whose output JSON cannot represent', async () => {
      const engine = await open();
      const dag = defineDag({ id: 'bigint', startDate: '2025-01-01' });
      dag.task({ id: 't', run: () => ({ n: 10n }) });
      const result = await engine.run(dag, { logicalDate: DAY });
      const [attempt] = await engine.tries('bigint', RUN_ID);
      expect(attempt?.errorName).to.equal(new OutputNotSerializableError('t', '').name);
      expect(stateOf(result, 't')?.error).to.equal(
        "output of task 't' is not JSON-serialisable: Do not know how to serialize a BigInt",
      );
    });
  });

  describe('timeouts', () => {
    it('fails a try that awaits forever with TaskTimeoutError and aborts its signal', async () => {
      const engine = await open({ clock: new ManualClock(T0, { autoAdvance: true }) });
      let reason: unknown;
      const dag = defineDag({ id: 'hang', startDate: '2025-01-01' });
      dag.task({
        id: 't',
        executionTimeout: 5000,
        run: (ctx) =>
          new Promise<never>(() => {
            ctx.signal.addEventListener('abort', () => {
              reason = ctx.signal.reason;
            });
          }),
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(result.state).to.equal('failed');
      expect(stateOf(result, 't')).to.deep.include({
        state: 'failed',
        error: 'task exceeded its execution timeout of 5000 ms',
      });
      expect(reason).to.be.instanceOf(TaskTimeoutError);
      const [attempt] = await engine.tries('hang', RUN_ID);
      expect(attempt).to.deep.include({ errorName: 'TaskTimeoutError', durationMs: 5000 });
    });

    it('discards the late result of a try that ignores its abort signal', async () => {
      const clock = new ManualClock(T0);
      const engine = await open({ clock });
      const started = deferred();
      const release = deferred();
      let returned = false;
      const dag = defineDag({ id: 'stubborn', startDate: '2025-01-01' });
      const slow = dag.task({
        id: 'slow',
        executionTimeout: 10_000,
        run: async () => {
          started.resolve();
          await release.promise;
          returned = true;
          return 'late';
        },
      });
      dag.task({ id: 'after', upstream: [slow], run: (ctx) => ctx.upstream(slow) });
      const running = engine.run(dag, { logicalDate: DAY });
      await started.promise;
      clock.advance(10_000);
      const result = await running;
      release.resolve();
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(returned).to.equal(true);
      expect(stateOf(result, 'slow')).to.deep.include({
        state: 'failed',
        output: null,
        error: 'task exceeded its execution timeout of 10000 ms',
      });
      expect(stateOf(result, 'after')?.state).to.equal('upstream_failed');
      const [ti] = await engine.store.listTaskInstances('stubborn', RUN_ID);
      expect(ti).to.deep.include({ state: 'failed', output: null });
    });

    it('retries a timed-out try (a timeout is retryable)', async () => {
      const engine = await open({ clock: new ManualClock(T0, { autoAdvance: true }) });
      const dag = defineDag({ id: 'slow_once', startDate: '2025-01-01' });
      dag.task({
        id: 't',
        retries: 1,
        executionTimeout: 1000,
        run: (ctx) => (ctx.tryNumber === 1 ? new Promise<never>(() => {}) : 'second try in time'),
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(stateOf(result, 't')).to.deep.include({
        state: 'success',
        tryNumber: 2,
        output: 'second try in time',
      });
    });

    it('does not time out tries that finish in time, including ones doing file I/O, under an auto-advancing clock', async () => {
      const engine = await open({ clock: new ManualClock(T0, { autoAdvance: true }) });
      const self = fileURLToPath(import.meta.url);
      const dag = defineDag({ id: 'in_time', startDate: '2025-01-01' });
      dag.task({ id: 'sync', executionTimeout: 60_000, run: () => 1 });
      dag.task({
        id: 'io',
        executionTimeout: 60_000,
        run: async () => (await readFile(self, 'utf8')).length > 0,
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(states(result)).to.deep.equal({ sync: 'success', io: 'success' });
    });
  });

  describe('resuming', () => {
    function pipeline(calls: Record<string, number>, input: { ok: boolean }) {
      const count = (id: string) => {
        calls[id] = (calls[id] ?? 0) + 1;
      };
      const dag = defineDag({ id: 'resume', startDate: '2025-01-01' });
      const extract = dag.task({
        id: 'extract',
        run: () => {
          count('extract');
          return { file: 'events.jsonl', rows: 7 };
        },
      });
      const validate = dag.task({
        id: 'validate',
        upstream: [extract],
        run: (ctx) => {
          count('validate');
          if (!input.ok) throw new NonRetryableError('column amount is missing');
          return ctx.upstream(extract).rows;
        },
      });
      dag.task({
        id: 'load',
        upstream: [validate],
        run: (ctx) => {
          count('load');
          return ctx.upstream(validate) * 2;
        },
      });
      return dag;
    }

    it('re-executes only unfinished tasks, reusing stored outputs and continuing try numbers', async () => {
      const engine = await open();
      const calls: Record<string, number> = {};
      const input = { ok: false };
      const dag = pipeline(calls, input);

      const first = await engine.run(dag, { logicalDate: DAY });
      expect(first.state).to.equal('failed');
      expect(first.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).to.deep.equal([
        ['extract', 'success', 1],
        ['validate', 'failed', 1],
        ['load', 'upstream_failed', 0],
      ]);

      input.ok = true;
      const second = await engine.run(dag, { logicalDate: DAY });
      expect(second.state).to.equal('success');
      expect(second.alreadyDone).to.equal(false);
      expect(second.tasks.map((t) => [t.taskId, t.state, t.tryNumber, t.output])).to.deep.equal([
        ['extract', 'success', 1, { file: 'events.jsonl', rows: 7 }],
        ['validate', 'success', 2, 7],
        ['load', 'success', 1, 14],
      ]);
      expect(calls).to.deep.equal({ extract: 1, validate: 2, load: 1 });
      expect((await engine.tries('resume', RUN_ID, 'validate')).map((t) => t.state)).to.deep.equal([
        'failed',
        'success',
      ]);
    });

    it('does not execute a successful run again unless forced', async () => {
      const engine = await open();
      const calls: Record<string, number> = {};
      const dag = pipeline(calls, { ok: true });
      await engine.run(dag, { logicalDate: DAY });
      const skippedEvents: string[] = [];

      const again = await engine.run(dag, {
        logicalDate: DAY,
        onEvent: (e) => {
          if (e.type === 'run-skipped') skippedEvents.push(e.reason);
        },
      });
      expect(again.alreadyDone).to.equal(true);
      expect(again.state).to.equal('success');
      expect(skippedEvents).to.deep.equal(['already succeeded']);
      expect(calls).to.deep.equal({ extract: 1, validate: 1, load: 1 });

      const forced = await engine.run(dag, { logicalDate: DAY, force: true });
      expect(forced.alreadyDone).to.equal(false);
      expect(forced.tasks.map((t) => t.tryNumber)).to.deep.equal([2, 2, 2]);
      expect(calls).to.deep.equal({ extract: 2, validate: 2, load: 2 });
    });

    it('executes only the selected tasks, leaving the others as they were', async () => {
      const engine = await open();
      const calls: Record<string, number> = {};
      const dag = pipeline(calls, { ok: true });
      await engine.run(dag, { logicalDate: DAY });

      const result = await engine.run(dag, { logicalDate: DAY, tasks: ['validate'] });
      expect(result.state).to.equal('success');
      expect(result.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).to.deep.equal([
        ['extract', 'success', 1],
        ['validate', 'success', 2],
        ['load', 'success', 1],
      ]);
      expect(calls).to.deep.equal({ extract: 1, validate: 2, load: 1 });
    });

    it('rejects a selection of unknown tasks or of tasks whose upstream did not run', async () => {
      const engine = await open();
      const dag = pipeline({}, { ok: true });
      const unknown = await rejection(engine.run(dag, { logicalDate: DAY, tasks: ['lod'] }));
      expect(unknown).to.be.instanceOf(NotFoundError);
      expect(unknown.message).to.equal(
        "unknown task 'lod' in DAG 'resume'; known tasks: extract, validate, load",
      );

      const early = await rejection(engine.run(dag, { logicalDate: DAY, tasks: ['load'] }));
      expect(early).to.be.instanceOf(InvalidInputError);
      expect(early.message).to.equal(
        "task 'load' needs upstream 'validate', which is none; run the whole DAG first or select 'validate' too",
      );
      expect((await engine.store.getRun('resume', RUN_ID))?.lease).to.equal(null);
    });
  });

  describe('concurrency', () => {
    it('runs at most maxActiveTasks tasks of a run at once', async () => {
      const engine = await open();
      const probe = new ConcurrencyProbe();
      const dag = defineDag({ id: 'wide', startDate: '2025-01-01', maxActiveTasks: 2 });
      for (let i = 0; i < 6; i++) dag.task({ id: `t${i}`, run: () => probe.around(() => i) });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(result.state).to.equal('success');
      expect(probe.max).to.equal(2);
    });

    it('admits one task at a time into a pool of 1, across concurrent runs', async () => {
      const engine = await open({ pools: { duckdb: 1 } });
      const probe = new ConcurrencyProbe();
      const free = new ConcurrencyProbe();
      const dag = defineDag({ id: 'pooled', startDate: '2025-01-01' });
      for (const id of ['a', 'b', 'c']) dag.task({ id, pool: 'duckdb', run: () => probe.around(() => id) });
      for (const id of ['x', 'y']) dag.task({ id, run: () => free.around(() => id) });

      const results = await Promise.all(
        ['2025-01-01', '2025-01-02'].map((logicalDate) => engine.run(dag, { logicalDate })),
      );

      expect(results.map((r) => r.state)).to.deep.equal(['success', 'success']);
      expect(probe.max).to.equal(1);
      expect(free.max).to.be.greaterThan(1);
    });

    it('a pool stored with setPool bounds two engines on one state file: never two tries at once', async () => {
      const first = await open();
      const second = await open();
      await first.store.setPool('duckdb', 1, '', new Date().toISOString());
      const probe = new ConcurrencyProbe();
      let calls = 0;
      const dag = defineDag({ id: 'stored', startDate: '2025-01-01' });
      for (const id of ['a', 'b', 'c']) {
        dag.task({ id, pool: 'duckdb', run: () => probe.around(() => ++calls) });
      }
      const results = await Promise.all([
        first.run(dag, { logicalDate: '2025-01-01' }),
        second.run(dag, { logicalDate: '2025-01-02' }),
        first.run(dag, { logicalDate: '2025-01-03' }),
      ]);
      expect(results.map((r) => r.state)).to.deep.equal(['success', 'success', 'success']);
      expect(probe.max).to.equal(1);
      expect(calls).to.equal(9);
      expect((await first.store.listPools(new Date().toISOString()))[0]).to.include({ occupied: 0 });
    });

    it('a stored pool of 0 holds its tasks scheduled until it gets a slot', async () => {
      const engine = await open();
      await engine.store.setPool('gate', 0, '', new Date().toISOString());
      const dag = defineDag({ id: 'gated', startDate: '2025-01-01' });
      dag.task({ id: 'held', pool: 'gate', run: () => 'ran' });
      dag.task({ id: 'free', run: () => 'ran' });
      const running = engine.run(dag, { logicalDate: DAY });
      const stateOfTask = async (taskId: string) =>
        (await engine.store.listTaskInstances('gated', RUN_ID)).find((t) => t.taskId === taskId)?.state;
      while ((await stateOfTask('free')) !== 'success') await new Promise((r) => setTimeout(r, 20));
      // Several claims are refused meanwhile (one per POOL_RETRY_MS): the task stays scheduled.
      await new Promise((r) => setTimeout(r, 1_200));
      expect(await stateOfTask('held')).to.equal('scheduled');
      await engine.store.setPool('gate', 1, '', new Date().toISOString());
      expect(states(await running)).to.deep.equal({ held: 'success', free: 'success' });
    });

    it('starts higher priorityWeight tasks first when slots are scarce', async () => {
      const engine = await open();
      const order: string[] = [];
      const dag = defineDag({ id: 'prio', startDate: '2025-01-01', maxActiveTasks: 1 });
      for (const [id, priorityWeight] of [
        ['low', 1],
        ['mid', 5],
        ['high', 10],
        ['mid2', 5],
      ] as const) {
        dag.task({ id, priorityWeight, run: () => void order.push(id) });
      }
      await engine.run(dag, { logicalDate: DAY });
      expect(order).to.deep.equal(['high', 'mid', 'mid2', 'low']);
    });

    it('rejects pools with a bad size', async () => {
      const error = await rejection(open({ pools: { duckdb: 0 } }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.equal("pool 'duckdb' must have a positive integer number of slots, got 0");
    });
  });

  describe('cancellation', () => {
    it('records running tries interrupted, leaves the run queued and releases the lease; the next run resumes', async () => {
      const engine = await open();
      const started = deferred();
      let signalReason: unknown;
      let hang = true;
      const dag = defineDag({ id: 'cancel', startDate: '2025-01-01' });
      const first = dag.task({ id: 'first', run: () => 'ok' });
      const slow = dag.task({
        id: 'slow',
        upstream: [first],
        retries: 3,
        run: (ctx) => {
          if (!hang) return 'finished';
          started.resolve();
          return new Promise<never>(() => {
            ctx.signal.addEventListener('abort', () => {
              signalReason = ctx.signal.reason;
            });
          });
        },
      });
      dag.task({ id: 'last', upstream: [slow], run: (ctx) => `${ctx.upstream(slow)}!` });

      const controller = new AbortController();
      const running = engine.run(dag, { logicalDate: DAY, signal: controller.signal });
      await started.promise;
      controller.abort();
      const interrupted = await running;

      expect(interrupted.state).to.equal('queued');
      expect(interrupted.endedAt).to.equal(null);
      expect(interrupted.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).to.deep.equal([
        ['first', 'success', 1],
        ['slow', 'failed', 1],
        ['last', 'none', 0],
      ]);
      expect(stateOf(interrupted, 'slow')?.error).to.equal('run interrupted (cancelled)');
      expect(signalReason).to.be.instanceOf(TaskInterruptedError);
      const [attempt] = await engine.tries('cancel', RUN_ID, 'slow');
      expect(attempt).to.deep.include({ state: 'failed', errorName: 'TaskInterruptedError' });
      expect((await engine.store.getRun('cancel', RUN_ID))?.lease).to.equal(null);

      hang = false;
      const resumed = await engine.run(dag, { logicalDate: DAY });
      expect(resumed.state).to.equal('success');
      expect(resumed.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).to.deep.equal([
        ['first', 'success', 1],
        ['slow', 'success', 2],
        ['last', 'success', 1],
      ]);
    });

    it('removes its abort listener when the run ends, so one signal can serve many runs', async () => {
      const engine = await open();
      const dag = defineDag({ id: 'many', startDate: '2025-01-01' });
      dag.task({ id: 't', run: () => 1 });
      const controller = new AbortController();
      for (const day of ['2025-01-01', '2025-01-02', '2025-01-03']) {
        await engine.run(dag, { logicalDate: day, signal: controller.signal });
      }
      expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
    });

    it('does not start anything when the signal is already aborted', async () => {
      const engine = await open();
      let calls = 0;
      const dag = defineDag({ id: 'pre', startDate: '2025-01-01' });
      dag.task({ id: 't', run: () => void calls++ });
      const result = await engine.run(dag, { logicalDate: DAY, signal: AbortSignal.abort() });
      expect(result.state).to.equal('queued');
      expect(calls).to.equal(0);
    });
  });
});
