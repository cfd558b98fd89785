import { NonRetryableError } from '@streampro/engine';
import {
  type DatasetInput,
  formatResultsTable,
  type ObjectStore,
  type OperatorContext,
  type QualityCheck,
  QualityCheckFailedError,
  type QualityChecksOutput,
  qualityChecks,
} from '@streampro/operators';
import { DATASET, DATASETS, type Dataset } from './datasets.js';
import { absentColumns } from './header-check.js';

/** One day's partition of a trusted dataset. */
function partitionOf(lake: ObjectStore, dataset: Dataset, ds: string): DatasetInput {
  return { store: lake, prefix: DATASET[dataset].trustedPrefix, partitions: { values: [ds] } };
}

/** Every trusted partition of a dataset up to and including `ds`. */
function historyOf(lake: ObjectStore, dataset: Dataset, ds: string): DatasetInput {
  return { store: lake, prefix: DATASET[dataset].trustedPrefix, partitions: { to: ds } };
}

function checksFor(lake: ObjectStore, dataset: Dataset, ds: string): QualityCheck[] {
  const { key, references } = DATASET[dataset];
  return [
    { kind: 'row_count', min: 1 },
    { kind: 'not_null', columns: [key] },
    { kind: 'unique', columns: [key] },
    ...references.map(
      (ref): QualityCheck => ({
        kind: 'relationship',
        column: ref.column,
        to: historyOf(lake, ref.dataset, ds),
        toColumn: DATASET[ref.dataset].key,
      }),
    ),
  ];
}

/**
 * Quality gate of the pipeline: for each dataset's new partition, every contract column delivered, rows above
 * zero and keys present and unique; events must reference users, devices and videos known in any trusted
 * partition up to the date.
 * Every dataset is checked before failing, so one failure table lists every problem.
 */
export function qualityChecksFor(lake: ObjectStore) {
  return async (ctx: OperatorContext): Promise<Record<Dataset, QualityChecksOutput>> => {
    const out: Partial<Record<Dataset, QualityChecksOutput>> = {};
    const failures: string[] = [];
    for (const dataset of DATASETS) {
      const absent = await absentColumns(lake, dataset, ctx.ds);
      if (absent.length > 0) {
        failures.push(
          `${dataset}: the delivery has no column ${absent.join(', ')} (optional, so trusted holds NULLs); deliver it, or drop it from the schema`,
        );
      }
      try {
        out[dataset] = await qualityChecks({
          dataset: partitionOf(lake, dataset, ctx.ds),
          checks: checksFor(lake, dataset, ctx.ds),
        })(ctx);
      } catch (error) {
        if (!(error instanceof QualityCheckFailedError)) throw error;
        failures.push(`${dataset}:\n${formatResultsTable(error.results.filter((r) => !r.passed))}`);
      }
    }
    if (failures.length > 0) {
      throw new NonRetryableError(`quality checks failed for ${ctx.ds}:\n${failures.join('\n')}`);
    }
    return out as Record<Dataset, QualityChecksOutput>;
  };
}
