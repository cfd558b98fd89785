import { assertValidPool, DEFAULT_POOL, type PoolUsage } from '@streampro/engine';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { PoolsArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { renderTable } from '../render/table.js';
import { type Session, withSession } from '../session.js';

/** A pool as `dag pools list` shows it: stored ones with their slots, others only as DAGs name them. */
interface PoolRow {
  readonly name: string;
  /** Null for a pool no row bounds (its tasks run as slots of their runs allow). */
  readonly slots: number | null;
  /** Counted for stored pools only (null otherwise): tries of other pools take no claim. */
  readonly occupied: number | null;
  readonly queued: number | null;
  readonly running: number | null;
  readonly description: string;
  /** DAG ids whose tasks name the pool. */
  readonly dags: readonly string[];
}

/** `dag pools [list|set|delete]`: the slot counts every scheduler, `dag run` and worker on this store obey. */
export async function execute(args: PoolsArgs, io: Io): Promise<number> {
  const action = args.action ?? 'list';
  if (action !== 'list' && !args.name) {
    throw new UsageError(
      `dag pools ${action} needs a pool name, e.g. dag pools ${action} duckdb${action === 'set' ? ' 1' : ''}`,
    );
  }
  const slots = action === 'set' ? slotsOf(args.name!, args.slots) : undefined;
  return withSession(args, io, async (s) => {
    const store = (await s.engine()).store;
    const now = new Date().toISOString();
    if (action === 'set') {
      const existing = (await store.listPools(now)).find((p) => p.name === args.name);
      const record = await store.setPool(
        args.name!,
        slots!,
        args.description ?? existing?.description ?? '',
        now,
      );
      if (args.json) printJson(io, record);
      else
        println(
          io,
          `pool ${record.name}: ${record.slots} slot(s)${existing ? ` (was ${existing.slots})` : ''}`,
        );
      return EXIT.ok;
    }
    if (action === 'delete') {
      const deleted = await store.deletePool(args.name!);
      if (!deleted) throw new UsageError(`no pool '${args.name}' is stored; see dag pools list`);
      if (args.json) printJson(io, { name: args.name, deleted: true });
      else println(io, `pool ${args.name} deleted: its tasks are no longer limited by a stored pool`);
      return EXIT.ok;
    }
    const rows = poolRows(await store.listPools(now), s);
    if (args.json) {
      printJson(io, rows);
      return EXIT.ok;
    }
    println(
      io,
      renderTable(
        ['pool', 'slots', 'occupied', 'queued', 'running', 'used by', 'description'],
        rows.map((r) => [
          r.name,
          r.slots === null ? 'unbounded' : String(r.slots),
          String(r.occupied ?? '-'),
          String(r.queued ?? '-'),
          String(r.running ?? '-'),
          r.dags.join(', ') || '-',
          r.description,
        ]),
      ),
    );
    return EXIT.ok;
  });
}

function slotsOf(name: string, value: string | undefined): number {
  if (value === undefined)
    throw new UsageError(`dag pools set ${name} needs a number of slots, e.g. dag pools set ${name} 1`);
  const slots = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  try {
    assertValidPool(name, slots);
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace('got NaN', `got '${value}'`)}`);
  }
  return slots;
}

/** Stored pools, then pools the loaded DAGs name without a stored row (the default pool first). */
function poolRows(stored: readonly PoolUsage[], s: Session): PoolRow[] {
  const users = new Map<string, Set<string>>();
  for (const dag of s.loaded.dags.values()) {
    for (const id of dag.topologicalOrder()) {
      const pool = dag.getTask(id)!.options.pool;
      if (!users.has(pool)) users.set(pool, new Set());
      users.get(pool)!.add(dag.id);
    }
  }
  const dagsOf = (pool: string): string[] => [...(users.get(pool) ?? [])].sort();
  const rows: PoolRow[] = stored.map((p) => ({
    name: p.name,
    slots: p.slots,
    occupied: p.occupied,
    queued: p.queued,
    running: p.running,
    description: p.description,
    dags: dagsOf(p.name),
  }));
  const storedNames = new Set(stored.map((p) => p.name));
  const unbounded = [...users.keys()]
    .filter((name) => !storedNames.has(name))
    .sort((a, b) => (a === DEFAULT_POOL ? -1 : b === DEFAULT_POOL ? 1 : a.localeCompare(b)));
  for (const name of unbounded) {
    rows.push({
      name,
      slots: null,
      occupied: null,
      queued: null,
      running: null,
      description: '',
      dags: dagsOf(name),
    });
  }
  return rows;
}
