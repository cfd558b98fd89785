import { expect } from 'chai';
import { requirePostgres, TEST_DATABASE_URL } from '../../packages/engine/test/support/postgres.js';
import { collect, taskStates, withEngine } from '../cli/helpers.js';
import { owned } from './fixtures/dags/owned.js';
import { FaultSandbox } from './support/harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const DATE = '2025-01-05';
const RUN_ID = `manual__${DATE}`;

/**
 * The rule when the PostgreSQL server goes away in the middle of a run: the next write (a batch of state
 * changes, one transaction) fails, so the run stops at once with the store's error (exit 1), its tries are
 * cancelled, and nothing is half-written. The lease is left to expire (or, on the same host, to be taken over
 * from the dead process at once); a later `dag run` resumes the run like one whose process was killed.
 */
describe('reliability: the PostgreSQL server goes away mid-run', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  let proxy: TcpProxy;

  before(async function () {
    await requirePostgres(this);
  });
  beforeEach(async () => {
    sb = new FaultSandbox({ store: 'postgres' });
    const target = new URL(TEST_DATABASE_URL);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
  });
  afterEach(async () => {
    await proxy?.stop();
    await sb?.cleanup();
  });

  /** The sandbox's database URL, through the proxy. */
  function viaProxy(): string {
    const url = new URL(sb.schema!.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return url.toString();
  }

  it('fails the run with exit 1 and what to do; `dag run` resumes it once the server is back', async () => {
    sb.extraEnv = { STREAMPRO_DATABASE_URL: viaProxy(), STREAMPRO_LEASE_TTL_MS: '3000' };
    sb.hold('first');
    const child = sb.start('run', 'owned', '--date', DATE);
    const exited = collect(child);
    await sb.reached('first');

    await proxy.stop();
    sb.open('first'); // the try ends; recording its end is the write that finds the server gone
    const failed = await exited;

    expect(failed.code, failed.stderr).to.equal(1);
    const last = failed.stderr.trim().split('\n').at(-1) ?? '';
    expect(last).to.match(
      /^dag: lost the connection to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/test\?schema=sp_test_\w+: .*\. Each batch of state changes is one transaction, so it is stored whole or not at all; once the server is back, run the same command again to resume$/,
    );
    // What the server has is a consistent earlier state: the try started, never its end.
    expect(await taskStates(sb.home, owned, DATE)).to.deep.equal({
      first: ['running', 1],
      second: ['none', 0],
    });

    await proxy.start();
    sb.resetGates();
    const resumed = await collect(sb.start('run', 'owned', '--date', DATE));
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(await taskStates(sb.home, owned, DATE)).to.deep.equal({
      first: ['success', 2],
      second: ['success', 1],
    });
    const tries = await withEngine(sb.home, (e) => e.tries(owned.id, RUN_ID, 'first'));
    expect(tries.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
      [1, 'failed', 'TaskInterruptedError'],
      [2, 'success', null],
    ]);
  });
});
