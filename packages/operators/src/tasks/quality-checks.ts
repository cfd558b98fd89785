import { NonRetryableError } from '@streampro/engine';
import { type DatasetInput, stageDatasets } from '../duckdb/datasets.js';
import { type CheckResult, checkProblems, evaluateCheck, type QualityCheck } from '../duckdb/quality-sql.js';
import { defaultCacheDir, type WorkSessionOptions, withWorkSession } from '../duckdb/work-session.js';
import type { OperatorContext, OperatorRun, Resolvable } from './operator.js';
import { resolve } from './operator.js';

export interface QualityChecksOptions extends WorkSessionOptions {
  readonly dataset: DatasetInput;
  readonly checks: readonly QualityCheck[];
  /**
   * Instant freshness is measured from (ISO 8601).
   * @default the end of the logical date: `ds` + 1 day, 00:00 UTC
   */
  readonly reference?: Resolvable<string>;
}

export interface QualityChecksOutput {
  readonly prefix: string;
  /** True when no blocking check failed. */
  readonly passed: boolean;
  readonly results: CheckResult[];
}

/** One or more blocking checks failed; the message holds a table of every failed check. */
export class QualityCheckFailedError extends NonRetryableError {
  override readonly name = 'QualityCheckFailedError';
  constructor(
    readonly prefix: string,
    readonly results: readonly CheckResult[],
  ) {
    const failed = results.filter((r) => !r.passed);
    const blocking = failed.filter((r) => r.blocking).length;
    super(`${blocking} blocking quality check(s) failed on ${prefix}:\n${formatResultsTable(failed)}`);
  }
}

/**
 * Declarative checks on a Parquet dataset (row count, not null, unique, accepted values,
 * referential integrity, freshness). Every check runs and is reported in the output; the task
 * fails when a blocking one fails.
 */
export function qualityChecks(options: QualityChecksOptions): OperatorRun<QualityChecksOutput> {
  const problems = options.checks.flatMap(checkProblems);
  if (options.checks.length === 0) problems.push('no checks declared');
  if (problems.length > 0) throw new NonRetryableError(`invalid quality checks: ${problems.join('; ')}`);
  return (ctx) =>
    withWorkSession(options, ctx, 'streampro-quality-', async (session) => {
      const reference =
        options.reference === undefined ? endOfLogicalDate(ctx) : await resolve(options.reference, ctx);
      if (Number.isNaN(Date.parse(reference)))
        throw new NonRetryableError(`reference is not an instant: ${reference}`);
      const inputs: Record<string, DatasetInput> = { dataset: options.dataset };
      options.checks.forEach((check, i) => {
        if (check.kind === 'relationship') inputs[`ref_${i}`] = check.to;
      });
      const staged = await stageDatasets(session, inputs, ctx, {
        cacheDir: options.cacheDir ?? defaultCacheDir(),
      });
      const prefix = staged[0]?.prefix ?? '';
      const results: CheckResult[] = [];
      for (const [i, check] of options.checks.entries()) {
        results.push(await evaluateCheck(session, 'dataset', check, `ref_${i}`, reference));
      }
      const passed = results.every((r) => r.passed || !r.blocking);
      for (const r of results.filter((x) => !x.passed)) {
        ctx.log.warn(`quality check ${r.name} failed`, { ...r });
      }
      if (!passed) throw new QualityCheckFailedError(prefix, results);
      return { prefix, passed, results };
    });
}

function endOfLogicalDate(ctx: OperatorContext): string {
  const start = Date.parse(`${ctx.ds}T00:00:00.000Z`);
  return new Date(start + 86_400_000).toISOString();
}

/** A fixed-width text table of check results (for error messages and logs). */
export function formatResultsTable(results: readonly CheckResult[]): string {
  const header = ['check', 'kind', 'blocking', 'observed', 'expected', 'examples'];
  const rows = results.map((r) => [
    r.name,
    r.kind,
    r.blocking ? 'yes' : 'no',
    JSON.stringify(r.observed),
    r.expected,
    r.examples === undefined ? '' : r.examples.map((e) => JSON.stringify(e)).join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line)].join('\n');
}
