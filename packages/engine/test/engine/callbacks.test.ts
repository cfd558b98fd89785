import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  commandNotifier,
  defineDag,
  Engine,
  NonRetryableError,
  type Notification,
  SkipTask,
  webhookNotifier,
} from '@streampro/engine';
import { CallbackRunner } from '@streampro/engine/internal';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-05';

/** A local HTTP server that records the JSON bodies POSTed to it, answering with `status`. */
async function webhookServer(
  status = 200,
  delayMs = 0,
): Promise<{ url: string; bodies: Notification[]; close(): Promise<void> }> {
  const bodies: Notification[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => {
      text += d.toString();
    });
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Notification);
      setTimeout(() => {
        res.writeHead(status).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('callbacks and notifiers', () => {
  let home: string;
  let engine: Engine;
  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home, secrets: ['s3cr3t-token'] });
  });
  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  it('a webhook is told of each try that succeeded, retried, failed or skipped, and of the run; secrets masked', async () => {
    const hook = await webhookServer();
    try {
      let attempts = 0;
      const dag = defineDag({
        id: 'told',
        startDate: '2025-01-01',
        defaultTaskOptions: {
          onSuccess: webhookNotifier({ url: hook.url }),
          onFailure: webhookNotifier({ url: hook.url }),
          onRetry: webhookNotifier({ url: hook.url }),
          onSkip: webhookNotifier({ url: hook.url }),
        },
        onFailure: webhookNotifier({ url: hook.url }),
      });
      dag.task({ id: 'ok', run: () => 1 });
      dag.task({
        id: 'flaky',
        retries: 1,
        retryDelay: 0,
        run: () => {
          attempts++;
          if (attempts === 1) throw new Error('first try fails');
          return 2;
        },
      });
      dag.task({
        id: 'skips',
        run: () => {
          throw new SkipTask('nothing today');
        },
      });
      dag.task({
        id: 'bad',
        run: () => {
          throw new NonRetryableError('token s3cr3t-token rejected');
        },
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(result.state).to.equal('failed');
      const seen = hook.bodies
        .map((b) => `${b.taskId ?? '(run)'} ${b.event} ${b.state} ${b.tryNumber ?? '-'}`)
        .sort();
      expect(seen).to.deep.equal([
        '(run) failure failed -',
        'bad failure failed 1',
        'flaky retry up_for_retry 1',
        'flaky success success 2',
        'ok success success 1',
        'skips skip skipped 1',
      ]);
      const bad = hook.bodies.find((b) => b.taskId === 'bad')!;
      expect(bad).to.include({
        dagId: 'told',
        runId: `manual__${DAY}`,
        logicalDate: '2025-01-05T00:00:00.000Z',
      });
      expect(bad.error).to.equal('token *** rejected');
      expect(bad.logPath).to.match(/run_id=manual__2025-01-05\/tries\.log$/);
      expect(hook.bodies.find((b) => b.taskId === null)?.error).to.equal('failed: bad');
    } finally {
      await hook.close();
    }
  });

  it('a failing or throwing callback is logged in the try log and changes no outcome', async () => {
    const hook = await webhookServer(500);
    try {
      const dag = defineDag({ id: 'noisy', startDate: '2025-01-01' });
      dag.task({
        id: 'work',
        onSuccess: [
          webhookNotifier({ url: hook.url }),
          () => {
            throw new Error('callback bug');
          },
        ],
        run: () => 'done',
      });
      const result = await engine.run(dag, { logicalDate: DAY });
      expect(result.state).to.equal('success');
      const log = fs.readFileSync(result.tasks[0]!.logPath!, 'utf8');
      expect(log).to.include(`onSuccess notifier failed: webhook ${hook.url} answered 500`);
      expect(log).to.include('onSuccess callback failed: callback bug');
    } finally {
      await hook.close();
    }
  });

  it('a command notifier gets the notification as JSON on stdin; a failing command is logged', async () => {
    const out = `${home}/notified.json`;
    const dag = defineDag({ id: 'cmd', startDate: '2025-01-01' });
    dag.task({
      id: 'work',
      onSuccess: [
        commandNotifier({ command: 'sh', args: ['-c', `cat > '${out}'`] }),
        commandNotifier({ command: 'sh', args: ['-c', 'echo nope >&2; exit 3'] }),
      ],
      run: () => 'done',
    });
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).to.include({
      event: 'success',
      taskId: 'work',
      state: 'success',
    });
    expect(fs.readFileSync(result.tasks[0]!.logPath!, 'utf8')).to.include(
      'onSuccess notifier failed: notifier sh exited 3: nope',
    );
  });

  it('a callback slower than its timeout is given up and reported; the others are not held back', async () => {
    const runner = new CallbackRunner(50);
    const errors: string[] = [];
    let quick = false;
    const notification = {
      event: 'success',
      dagId: 'd',
      runId: 'r',
      logicalDate: DAY,
      taskId: 't',
      tryNumber: 1,
      state: 'success',
      error: null,
      logPath: null,
      at: DAY,
    } as const;
    runner.fire(
      [
        () => new Promise<void>(() => {}),
        () => {
          quick = true;
        },
      ],
      notification,
      (m) => errors.push(m),
    );
    await runner.settled();
    expect(quick).to.equal(true);
    expect(errors).to.deep.equal(['onSuccess callback failed: timed out after 50 ms']);
  });

  it('refuses a callback that is neither a function nor a notifier', () => {
    const dag = defineDag({ id: 'wrong', startDate: '2025-01-01' });
    expect(() => dag.task({ id: 'x', onFailure: 'email me' as never, run: () => 1 })).to.throw(
      /onFailure must be a function or a notifier \(an object with notify\(\)\), got "email me"$/,
    );
  });
});
