import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { baseTaskId, byTaskOrder, type Engine, isLineOf, type TryRecord, textOf } from '@streampro/engine';
import { EXIT, UsageError } from '../errors.js';
import { colorEnabled, type Io } from '../io.js';
import type { LogsArgs } from '../options.js';
import { println } from '../output.js';
import { parseDateFlag } from '../parse/dates.js';
import { positiveInt } from '../parse/params.js';
import { type Palette, palette, stateColor } from '../render/colors.js';
import { formatLogLine, parseLogLine } from '../render/log-format.js';
import { displayPath } from '../render/paths.js';
import { withSession } from '../session.js';

const FOLLOW_POLL_MS = 300;

export async function execute(args: LogsArgs, io: Io): Promise<number> {
  const date = parseDateFlag('date', args.date);
  const tryNumber = positiveInt('try', args.try);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    const taskId = args.task === undefined ? undefined : s.instance(dag, args.task);
    const engine = await s.engine();
    const run = await engine.status(dag, date);
    if (!run) {
      io.stderr.write(`dag: no run of ${dag.id} for ${args.date}, so no logs\n`);
      return EXIT.failed;
    }
    const tries = await engine.tries(dag.id, run.runId, taskId);
    const selected = selectTries(dag.topologicalOrder(), tries, taskId, tryNumber);
    const p = palette(colorEnabled(io, io.stdout));
    for (const t of selected) {
      // A try run by a `dag worker` had its log shipped to the store: read from there, on any machine.
      const shipped = await engine.store.readTryLog(t);
      if (!args.raw) {
        const where = shipped
          ? `(shipped by the worker on ${t.host || 'another host'})`
          : displayPath(io.cwd, t.logPath);
        println(
          io,
          p.bold(`=== ${t.taskId} try ${t.tryNumber} (${stateColor(p, t.state)(t.state)}) ${where}`),
        );
      }
      const printLine = (line: string): void =>
        println(io, args.raw ? line : formatLogLine(parseLogLine(line), p));
      const running = args.follow && t.state === 'running';
      if (shipped && running) await followShipped(engine, t, printLine, io.signal);
      else if (shipped) printText(shipped.text, printLine);
      else if (running) await follow(engine, t, printLine, io.signal);
      else printFile(t, printLine, io, p);
    }
    if (selected.length === 0) println(io, taskId ? `task ${taskId} has no tries yet` : 'no tries yet');
    return io.signal.aborted ? EXIT.interrupted : EXIT.ok;
  });
}

/** The requested try, or the last try of each task, in topological order. */
export function selectTries(
  order: readonly string[],
  tries: readonly TryRecord[],
  taskId: string | undefined,
  tryNumber: number | undefined,
): TryRecord[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  // Instances of mapped tasks (`load[3]`) come right after their task, by index.
  const ids = taskId
    ? [taskId]
    : [...new Set([...order, ...tries.map((t) => t.taskId).filter((id) => rank.has(baseTaskId(id)))])].sort(
        (a, b) => byTaskOrder(rank)({ taskId: a }, { taskId: b }),
      );
  const out: TryRecord[] = [];
  for (const id of ids) {
    const own = tries.filter((t) => t.taskId === id).sort((a, b) => a.tryNumber - b.tryNumber);
    if (tryNumber !== undefined) {
      const match = own.find((t) => t.tryNumber === tryNumber);
      if (match) out.push(match);
      else if (taskId) {
        const have = own.map((t) => t.tryNumber).join(', ') || 'none';
        throw new UsageError(`task '${id}' has no try ${tryNumber}; its tries: ${have}`);
      }
    } else if (own.length > 0) out.push(own[own.length - 1]!);
  }
  return out.sort(byTaskOrder(rank));
}

/** The try's lines of its log file (the run's segment, where every line carries its try's key). */
function printFile(t: TryRecord, printLine: (line: string) => void, io: Io, p: Palette): void {
  let text: string;
  try {
    text = fs.readFileSync(t.logPath, 'utf8');
  } catch {
    io.stderr.write(`${p.yellow(`(log file ${t.logPath} is missing)`)}\n`);
    return;
  }
  printText(textOf(text, t), printLine);
}

function printText(text: string, printLine: (line: string) => void): void {
  for (const line of text.split('\n')) if (line.trim() !== '') printLine(line);
}

/** `follow` for a shipped log: polls the store for new pieces until the try ends and the rest is in. */
async function followShipped(
  engine: Engine,
  t: TryRecord,
  printLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let from = 0;
  for (;;) {
    // Read the state first: pieces shipped before the try ended are all in once it reads as ended.
    const now = (await engine.tries(t.dagId, t.runId, t.taskId)).find((x) => x.tryNumber === t.tryNumber);
    const piece = await engine.store.readTryLog(t, from);
    if (piece && piece.end > from) {
      printText(piece.text, printLine);
      from = piece.end;
    }
    if (signal.aborted || !now || now.state !== 'running') break;
    await sleep(FOLLOW_POLL_MS);
  }
}

/** Prints complete lines as they are appended, until the try is no longer running and the file is drained. */
async function follow(engine: Engine, t: TryRecord, printLine: (line: string) => void, signal: AbortSignal) {
  let offset = 0;
  let pending = '';
  for (;;) {
    const size = fs.statSync(t.logPath, { throwIfNoEntry: false })?.size ?? 0;
    if (size > offset) {
      const fd = fs.openSync(t.logPath, 'r');
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      fs.closeSync(fd);
      offset = size;
      const lines = (pending + buffer.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '' && isLineOf(line, t)) printLine(line);
      continue;
    }
    const now = (await engine.tries(t.dagId, t.runId, t.taskId)).find((x) => x.tryNumber === t.tryNumber);
    if (signal.aborted || !now || now.state !== 'running') break;
    await sleep(FOLLOW_POLL_MS);
  }
  if (pending.trim() !== '' && isLineOf(pending, t)) printLine(pending);
}
