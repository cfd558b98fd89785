import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NonRetryableError, SkipTask } from '@streampro/engine';
import { expect } from 'chai';
import { LocalStore } from '../../src/storage/local-store.js';
import { WaitForObjectsTimeoutError, waitForObjects } from '../../src/tasks/wait-for-objects.js';
import { fakeContext } from '../storage/fake-context.js';
import { rejection } from '../storage/rejection.js';

describe('waitForObjects', () => {
  let tmp: string;
  let store: LocalStore;

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'streampro-wait-'));
    store = await LocalStore.open(tmp);
  });

  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('returns once every key exists, including one written later', async () => {
    await store.putBytes('in/a.csv', 'a');
    setTimeout(() => void store.putBytes('in/b-2025-09-09.csv', 'b'), 80);
    const run = waitForObjects({
      store: tmp,
      keys: (ctx) => ['in/a.csv', `in/b-${ctx.ds}.csv`],
      pollIntervalMs: 20,
      timeoutMs: 5_000,
    });
    const out = await run(fakeContext('2025-09-09').ctx);
    expect(out.keys).to.deep.equal(['in/a.csv', 'in/b-2025-09-09.csv']);
    expect(out.store).to.equal(store.uri);
    expect(out.polls).to.be.greaterThan(1);
    expect(out.waitedMs).to.be.at.least(60);
  });

  it('fails on timeout with a non-retryable error naming the missing keys', async () => {
    await store.putBytes('here', 'x');
    const run = waitForObjects({
      store,
      keys: ['here', 'm/one', 'm/two'],
      pollIntervalMs: 10,
      timeoutMs: 60,
    });
    const { ctx, lines } = fakeContext();
    const error = await rejection(run(ctx));
    expect(error).to.be.instanceOf(WaitForObjectsTimeoutError).and.instanceOf(NonRetryableError);
    expect((error as WaitForObjectsTimeoutError).missingKeys).to.deep.equal(['m/one', 'm/two']);
    expect(error.message).to.include('m/one, m/two').and.include(store.uri).and.include('60 ms');
    expect(lines.some((line) => line.message === 'waiting for objects')).to.equal(true);
  });

  it("throws SkipTask on timeout when onTimeout is 'skip'", async () => {
    const run = waitForObjects({
      store,
      keys: ['never'],
      pollIntervalMs: 10,
      timeoutMs: 30,
      onTimeout: 'skip',
    });
    const error = await rejection(run(fakeContext().ctx));
    expect(error).to.be.instanceOf(SkipTask);
    expect((error as SkipTask).reason).to.include('never');
  });

  it('stops at once when the signal aborts, with the abort reason', async () => {
    const run = waitForObjects({ store, keys: ['never'], pollIntervalMs: 10_000, timeoutMs: 60_000 });
    const { ctx, controller } = fakeContext();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('cancelled by user')), 30);
    const error = await rejection(run(ctx));
    expect(error.message).to.equal('cancelled by user');
    expect(Date.now() - started).to.be.below(1_000);
  });

  it('rejects a zero poll interval at definition time', () => {
    expect(() => waitForObjects({ store, keys: [], pollIntervalMs: 0 })).to.throw(
      RangeError,
      'pollIntervalMs',
    );
  });
});
