import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BIN, collect, json, type Result, Sandbox, TEST_STORE, until, withEngine } from './helpers.js';
import { OtherHost } from './support/other-host.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TTL_MS = 3000;

interface Status {
  state: string;
  tasks: { taskId: string; state: string; tryNumber: number; output: unknown }[];
}

interface Proc {
  readonly child: ChildProcess;
  readonly done: Promise<Result>;
  readonly err: string[];
}

/**
 * A `dag worker` on another "host": its own network namespace, reaching PostgreSQL only over a veth link.
 * PostgreSQL only (part of `npm run test:cli:postgres`); needs root for `ip netns`, as CI has.
 */
(TEST_STORE === 'postgres' ? describe : describe.skip)(
  'dag worker on another host (network namespace)',
  function () {
    this.timeout(120_000);
    let sb: Sandbox;
    let other: OtherHost | undefined;
    const procs: Proc[] = [];

    before(function () {
      const why = OtherHost.unavailable();
      if (!why) return;
      if (process.env.CI) throw new Error(`the other-host tests must run in CI: ${why}`);
      console.log(`      (skipped: ${why})`);
      this.skip();
    });

    beforeEach(async () => {
      sb = new Sandbox();
      sb.dagsFolder = path.join(here, 'fixtures/worker-dags');
      const url = new URL(sb.schema!.url);
      other = await OtherHost.create({ host: url.hostname, port: Number(url.port || 5432) });
    });
    afterEach(async () => {
      for (const p of procs.splice(0)) {
        p.child.kill('SIGKILL');
        await exited(p.child);
      }
      await other?.destroy();
      await sb.cleanup();
    });

    const track = (child: ChildProcess): Proc => {
      const err: string[] = [];
      child.stderr?.on('data', (d: Buffer) => err.push(d.toString()));
      const p = { child, done: collect(child), err };
      procs.push(p);
      return p;
    };
    const onThisHost = (env: NodeJS.ProcessEnv, ...args: string[]): Proc => {
      const saved = sb.env;
      sb.env = () => ({
        ...saved.call(sb),
        STREAMPRO_EXECUTOR: 'workers',
        STREAMPRO_WORKER_TTL_MS: String(TTL_MS),
        ...env,
      });
      const child = sb.start(...args);
      sb.env = saved;
      return track(child);
    };
    const remoteWorker = (): Proc => {
      const env = {
        ...sb.env(),
        STREAMPRO_WORKER_TTL_MS: String(TTL_MS),
        STREAMPRO_DATABASE_URL: other!.urlFor(sb.schema!.url),
        STREAMPRO_HOME: path.join(sb.root, 'other-host-home'),
      };
      return track(
        other!.spawn(process.execPath, [BIN, 'worker', '--concurrency', '2', '--grace', '1000'], env, sb.cwd),
      );
    };
    const executions = (date: string): string[][] =>
      fs.existsSync(sb.fx('executions.log'))
        ? fs
            .readFileSync(sb.fx('executions.log'), 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.split(' '))
            .filter((x) => x[0] === date)
        : [];

    it('runs a DAG on a worker that reaches PostgreSQL only over the veth link', async () => {
      onThisHost({}, 'scheduler', '--interval', '200');
      const remote = remoteWorker();
      const r = await sb.dag('trigger', 'cluster', '--date', '2025-09-01', '--wait', '--json');
      expect(r.code, r.stderr + remote.err.join('')).to.equal(0);
      expect(json<Status>(r).state).to.equal('success');
      for (const task of ['extract', 'part_1', 'part_2', 'part_3', 'slow', 'load']) {
        expect(remote.err.join('')).to.include(`running cluster/manual__2025-09-01/${task}#1`);
      }
      expect(other!.connections).to.be.greaterThan(0);
    });

    it('its link cut mid-try: it stops the try itself, the try is recovered on this host, nothing runs twice', async () => {
      fs.writeFileSync(sb.fx('hold'), '');
      onThisHost({}, 'scheduler', '--interval', '200');
      const remote = remoteWorker();
      const triggered = sb.dag('trigger', 'cluster', '--date', '2025-09-02', '--wait', '--json');
      await until('slow to start on the other host', () =>
        remote.err.join('').includes('running cluster/manual__2025-09-02/slow#1'),
      );
      const local = onThisHost({}, 'worker', '--concurrency', '2', '--grace', '1000');
      other!.cut();
      const cutAt = Date.now();
      await until(
        'slow to run again',
        () => executions('2025-09-02').filter((x) => x[1] === 'slow').length === 2,
        30_000,
      );
      const recoveredMs = Date.now() - cutAt;
      console.log(`      (link cut → retry running in ${recoveredMs} ms; worker TTL ${TTL_MS} ms)`);
      expect(local.err.join('')).to.include('running cluster/manual__2025-09-02/slow#2');
      // Past the time the cut-off worker had to stop its try, let the body go: a live try 1 would end now.
      await new Promise((res) => setTimeout(res, 1_000));
      fs.rmSync(sb.fx('hold'));
      const result = await triggered;
      expect(result.code, result.stderr).to.equal(0);
      expect(json<Status>(result).state).to.equal('success');
      const tries = executions('2025-09-02').map((x) => `${x[1]}#${x[2]}`);
      expect(new Set(tries).size, tries.join(', ')).to.equal(tries.length);
      expect(
        executions('2025-09-02')
          .filter((x) => x[1] === 'slow-end')
          .map((x) => x[2]),
      ).to.deep.equal(['2']);
      const slowTries = await withEngine(sb.home, (e) => e.tries('cluster', 'manual__2025-09-02', 'slow'));
      expect(slowTries.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
        [1, 'up_for_retry', 'WorkerLostError'],
        [2, 'success', null],
      ]);
      // The link back: the other host's worker reconnects and drains on SIGTERM like any other.
      other!.restore();
      remote.child.kill('SIGTERM');
      const exit = await Promise.race([
        remote.done,
        new Promise<Result>((res) =>
          setTimeout(() => res({ code: -1, stdout: '', stderr: 'no exit' }), 20_000),
        ),
      ]);
      expect(exit.code, remote.err.join('')).to.equal(0);
      expect(remote.err.join('')).to.match(
        /stopped cluster\/manual__2025-09-02\/slow#1: no heartbeat reached the database/,
      );
    });
  },
);

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
