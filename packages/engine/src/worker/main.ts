/**
 * Entry point of a worker process of the local pool (`ProcessPoolExecutor`). It runs one try at a time from
 * its descriptor, writes the try's log itself with secrets masked (the task's logger, `console.*` and
 * stdout/stderr), and stops the body when its owner goes silent, so a scheduler that is paused past its
 * lease cannot have tries running on its behalf when another process takes the run over.
 */

import os from 'node:os';
import type { TryPlacement } from '../executor/executor.js';
import { outcomeOfError } from '../executor/outcome.js';
import type { TryJob } from '../executor/try-descriptor.js';
import { type FromWorker, fromWireError, type ToWorker, toWireOutcome } from '../executor/worker-protocol.js';
import type { TaskInstanceKey } from '../logging/logger.js';
import { ReportingMasker, type SecretMasker } from '../logging/mask.js';
import { LogRouter, type TryLog } from '../logging/try-log.js';
import { NonRetryableError, TaskInterruptedError } from '../model/errors.js';
import { baseTaskId } from '../model/map-index.js';
import { runTry } from '../runtime/run-try.js';
import { captureOutput, type OutputTarget } from './capture-output.js';
import { loadDag, preloadModule, useDagImporter } from './load-dag.js';
import { parseWorkerSettings } from './settings.js';

interface Current {
  readonly key: TaskInstanceKey;
  readonly controller: AbortController;
  readonly log: TryLog;
  readonly masker: SecretMasker;
}

const settings = parseWorkerSettings(process.env);
if (settings.dagImporter) useDagImporter(settings.dagImporter);
const placement: TryPlacement = { host: os.hostname(), pid: process.pid };
const router = new LogRouter('', settings.logLevel);
let current: Current | undefined;
let last: Current | undefined;
let lastPing = Date.now();
let exiting = false;

const outputOf = (c: Current | undefined): OutputTarget | undefined =>
  c && {
    line: (stream, text) =>
      stream === 'stderr' ? c.log.logger.warn(text, { stream }) : c.log.logger.info(text, { stream }),
  };
const flushOutput = captureOutput(() => outputOf(current ?? last));

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function exit(code: number): void {
  if (exiting) return;
  exiting = true;
  flushOutput();
  process.exit(code);
}

/** Aborts the running body; the process exits once the body settles, or after the grace period at the latest. */
function stop(error: Error, code: number): void {
  if (!current) {
    exit(code);
    return;
  }
  current.controller.abort(error);
  setTimeout(() => exit(code), settings.graceMs).unref();
}

/**
 * The owner is gone or silent: nothing the body does from now on could be recorded, and another process may
 * soon run the task again, so the body gets no grace period. The try's log says why; the owner (if it comes
 * back) hears that the try was interrupted; then the process exits.
 */
async function abandon(error: Error): Promise<void> {
  const c = current;
  if (!c) {
    exit(0);
    return;
  }
  c.controller.abort(error);
  c.log.logError(error);
  flushOutput();
  await send({
    type: 'finished',
    key: c.key,
    outcome: toWireOutcome({ kind: 'failed', error, retryable: true }, c.masker),
  });
  exit(0);
}

async function run(job: TryJob): Promise<void> {
  const d = job.descriptor;
  const masker = new ReportingMasker(job.secrets.mask, (value) => {
    void send({ type: 'secret', key: d.key, value });
  });
  const entry: Current = {
    key: d.key,
    controller: new AbortController(),
    log: router.openTryLog(d.key, masker, d.logPath),
    masker,
  };
  current = entry;
  lastPing = Date.now();
  let outcome: Awaited<ReturnType<typeof runTry>>;
  try {
    // The import of the DAG module (once per process) comes before `started`: the try starts with its body.
    const dag = await loadDag(d.dagFile, d.key.dagId);
    const def = dag.getTask(baseTaskId(d.key.taskId));
    if (!def) throw new NonRetryableError(`DAG '${dag.id}' no longer has a task '${d.key.taskId}'`);
    await send({ type: 'started', key: d.key, placement });
    outcome = await runTry(def, d, job.secrets, entry.log, masker, placement, entry.controller.signal);
  } catch (error) {
    await send({ type: 'started', key: d.key, placement });
    outcome = outcomeOfError(error);
    if (outcome.kind === 'failed') entry.log.logError(outcome.error);
  }
  // A body stopped by its signal usually throws an AbortError: record why it was stopped instead.
  const reason: unknown = entry.controller.signal.reason;
  if (entry.controller.signal.aborted && outcome.kind === 'failed' && reason instanceof Error) {
    outcome = { kind: 'failed', error: reason, retryable: outcome.retryable };
  }
  flushOutput();
  entry.log.close();
  last = entry;
  current = undefined;
  await send({ type: 'finished', key: d.key, outcome: toWireOutcome(outcome, masker) });
  // An aborted body may have left timers or I/O behind: the process is not reused.
  if (entry.controller.signal.aborted) exit(0);
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'run':
      if (current) throw new Error('worker protocol: a try was sent while another runs');
      void run(message.job);
      return;
    case 'abort':
      current?.controller.abort(fromWireError(message.error));
      return;
    case 'ping':
      lastPing = Date.now();
      return;
    case 'load':
      void preloadModule(message.dagFile).then(() => send({ type: 'loaded', dagFile: message.dagFile }));
      return;
  }
});

// The owner decides about Ctrl-C (it sends `abort`, then SIGTERM and SIGKILL after its grace period).
process.on('SIGINT', () => {});
process.on('SIGTERM', () => stop(new TaskInterruptedError('the worker process received SIGTERM'), 0));
process.on(
  'disconnect',
  () => void abandon(new TaskInterruptedError('the scheduler owning this try went away')),
);

setInterval(() => {
  const silentMs = Date.now() - lastPing;
  if (current && !current.controller.signal.aborted && silentMs > settings.ownerSilenceMs) {
    void abandon(
      new TaskInterruptedError(
        `the scheduler owning this try was silent for ${silentMs} ms (stopped, or lost its lease): ` +
          'the body was stopped so that no other owner can find it running',
      ),
    );
  }
}, 250).unref();
