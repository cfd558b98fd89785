import type { TryOutcome, TryPlacement } from '../executor/executor.js';
import { outcomeOfError } from '../executor/outcome.js';
import type { TryDescriptor, TrySecrets } from '../executor/try-descriptor.js';
import type { TaskLogger } from '../logging/logger.js';
import type { SecretMasker } from '../logging/mask.js';
import type { TaskDefinition } from '../model/task.js';
import { buildContext } from './build-context.js';
import { normalizeOutput } from './output.js';
import { TryResources } from './try-resources.js';

/** Where a try's lines go while it runs. */
export interface TryLogTarget {
  readonly logger: TaskLogger;
  /** Settles when the log file is open; a rejection fails the try (the log could not be created). */
  readonly ready: Promise<void>;
  logError(error: Error): void;
}

/**
 * Runs one try of a task body from its descriptor: the one implementation behind every executor (in-process
 * for `dag test` and unit tests, and inside each worker process). Never rejects.
 */
export async function runTry(
  def: TaskDefinition,
  d: TryDescriptor,
  secrets: TrySecrets,
  log: TryLogTarget,
  masker: SecretMasker,
  placement: TryPlacement,
  signal: AbortSignal,
): Promise<TryOutcome> {
  const started = Date.now();
  let outcome: TryOutcome;
  let resources: TryResources | undefined;
  try {
    await log.ready;
    log.logger.info(`starting try ${d.key.tryNumber} of ${d.maxTries}`, {
      host: placement.host,
      pid: placement.pid,
    });
    resources = new TryResources(def.resources, {
      ...d.key,
      logicalDate: d.logicalDate,
      ds: d.logicalDate.slice(0, 10),
      env: process.env,
      log: log.logger,
      signal,
      maskSecret: (value) => masker.add(value),
    });
    const ctx = buildContext({
      ...d.key,
      maxTries: d.maxTries,
      logicalDate: new Date(d.logicalDate),
      dataInterval: { start: new Date(d.dataInterval.start), end: new Date(d.dataInterval.end) },
      params: { ...d.params, ...secrets.params },
      upstreamIds: def.upstreamIds,
      upstreamOutput: (id) =>
        Object.hasOwn(d.upstreamOutputs, id)
          ? { output: d.upstreamOutputs[id] }
          : { missing: d.upstreamMissing[id] ?? 'it has no output' },
      log: log.logger,
      signal,
      masker,
      resources: resources.handles,
    });
    const output =
      def.map && d.map
        ? await def.map.run(ctx, { ...def.map.partial, item: d.map.item, index: d.map.index })
        : await def.run(ctx);
    outcome = { kind: 'success', output: normalizeOutput(d.key.taskId, output) };
  } catch (error) {
    outcome = outcomeOfError(error);
  }
  await resources?.close(log.logger);
  const durationMs = Date.now() - started;
  if (outcome.kind === 'success') log.logger.info('try succeeded', { durationMs });
  else if (outcome.kind === 'skipped') log.logger.info(`task skipped: ${outcome.reason}`, { durationMs });
  else log.logError(outcome.error);
  return outcome;
}
