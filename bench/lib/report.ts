import fs from 'node:fs';
import path from 'node:path';
import type { Machine } from './machine.js';
import { type Summary, summarize } from './stats.js';

/** One measured figure; baselines are rows too, so each comparison names a row of the same run. */
export interface ResultRow {
  /** What ran, e.g. `StreamPro engine` or `baseline: durable walk`. */
  readonly subject: string;
  /** What was measured, e.g. `wall µs/task`. */
  readonly metric: string;
  readonly value: Summary;
  /** Subject of the row (same metric) this one is compared with. */
  readonly baseline?: string;
  /** value.median / baseline median. */
  readonly ratio?: number;
  readonly target?: string;
  /** Null when the row has no target or the run was a smoke run. */
  readonly met?: boolean | null;
}

export interface BenchReport {
  readonly name: string;
  readonly ranAt: string;
  readonly machine: Machine;
  readonly quick: boolean;
  /** Sizes and settings of this run. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly rows: readonly ResultRow[];
  /** Facts needed to read the rows (commit counts, definitions, skipped parts). */
  readonly notes: readonly string[];
}

export interface ResultsFile {
  readonly updatedAt: string;
  readonly benchmarks: readonly BenchReport[];
}

/** Collects the rows of one benchmark. */
export class Rows {
  readonly rows: ResultRow[] = [];

  add(subject: string, metric: string, values: readonly number[]): Summary {
    const value = summarize(values);
    this.rows.push({ subject, metric, value });
    return value;
  }

  /**
   * A row compared with a baseline row of the same metric; `ok` says whether the ratio (or the value)
   * meets the target.
   */
  compare(
    subject: string,
    metric: string,
    values: readonly number[],
    baseline: string,
    target?: { text: string; ok: (ratio: number, value: Summary) => boolean },
  ): void {
    const value = summarize(values);
    const base = this.rows.find((r) => r.subject === baseline && r.metric === metric);
    if (!base) throw new Error(`no baseline row "${baseline}" for ${metric}`);
    const ratio = value.median / base.value.median;
    this.rows.push({
      subject,
      metric,
      value,
      baseline,
      ratio,
      ...(target ? { target: target.text, met: target.ok(ratio, value) } : {}),
    });
  }

  /** A row with an absolute target. */
  check(
    subject: string,
    metric: string,
    values: readonly number[],
    target: string,
    ok: (v: Summary) => boolean,
  ) {
    const value = summarize(values);
    this.rows.push({ subject, metric, value, target, met: ok(value) });
  }
}

/** Replaces the reports of the benchmarks that ran and keeps the others, so a single benchmark can be re-run. */
export function mergeResults(file: string, reports: readonly BenchReport[]): ResultsFile {
  let previous: BenchReport[] = [];
  if (fs.existsSync(file)) {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ResultsFile>;
    previous = Array.isArray(parsed.benchmarks) ? [...parsed.benchmarks] : [];
  }
  const ran = new Set(reports.map((r) => r.name));
  const order = ['scheduler', 'due-latency', 'etl', 'pipeline', 'backfill', 'startup', 'distributed'];
  const benchmarks = [...previous.filter((r) => !ran.has(r.name)), ...reports].sort(
    (a, b) => order.indexOf(a.name) - order.indexOf(b.name),
  );
  return { updatedAt: new Date().toISOString(), benchmarks };
}

export function writeResults(dir: string, base: string, reports: readonly BenchReport[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const jsonFile = path.join(dir, `${base}.json`);
  const results = mergeResults(jsonFile, reports);
  const mdFile = path.join(dir, `${base}.md`);
  // Written to a temporary name then renamed, so an interrupted run never leaves half a table.
  for (const [file, text] of [
    [jsonFile, `${JSON.stringify(results, null, 2)}\n`],
    [mdFile, renderMarkdown(results)],
  ] as const) {
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
  }
  return [mdFile, jsonFile];
}

export function fmt(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os} (load ${m.loadAverage} at start)`;
}

export function renderMarkdown(results: ResultsFile): string {
  const out = ['# StreamPro benchmark results', '', `Updated ${results.updatedAt}.`, ''];
  out.push('Median of the repetitions, with min–max; ratios compare medians of the same run.', '');
  for (const b of results.benchmarks) {
    const params = Object.entries(b.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    out.push(`## ${b.name}${b.quick ? ' (quick smoke run: not a measurement)' : ''}`, '');
    out.push(`Ran ${b.ranAt} on ${machineLine(b.machine)}.`, '');
    if (params) out.push(`Settings: ${params}.`, '');
    out.push('| subject | metric | median | min–max | n | vs baseline | target | met |');
    out.push('|---|---|---:|---:|---:|---|---|---|');
    for (const r of b.rows) {
      const vs = r.baseline && r.ratio !== undefined ? `${r.ratio.toFixed(2)}x ${r.baseline}` : '';
      const met = r.met === undefined || r.met === null ? '' : r.met ? 'yes' : '**no**';
      out.push(
        `| ${r.subject} | ${r.metric} | ${fmt(r.value.median)} | ${fmt(r.value.min)}–${fmt(r.value.max)} | ${r.value.n} | ${vs} | ${r.target ?? ''} | ${met} |`,
      );
    }
    out.push('');
    for (const n of b.notes) out.push(`- ${n}`);
    if (b.notes.length > 0) out.push('');
  }
  return out.join('\n');
}
