import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Terminal } from '@xterm/headless';
import { expect } from 'chai';
import { BIN, Sandbox } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const COLUMNS = 44;

/** Runs `dag args…` in a pseudo-terminal of COLUMNS columns (util-linux `script`) and returns its bytes. */
function inPseudoTerminal(sb: Sandbox, args: readonly string[]): Promise<string> {
  const command = `stty cols ${COLUMNS} rows 40; exec ${[process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: sb.env(),
      cwd: sb.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/** What a terminal of COLUMNS columns shows after those bytes: every row, scrollback included. */
function screenOf(bytes: string): Promise<string[]> {
  const term = new Terminal({ cols: COLUMNS, rows: 40, scrollback: 5_000, allowProposedApi: true });
  return new Promise((resolve) => {
    term.write(bytes.replace(/\r?\n/g, '\r\n'), () => {
      const buffer = term.buffer.active;
      const rows: string[] = [];
      for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i)?.translateToString(true) ?? '');
      term.dispose();
      resolve(rows);
    });
  });
}

describe('dag run in a 44-column terminal (a pseudo-terminal, rendered by a terminal emulator)', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/tty-dags');
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('redraws the live view in place (one frame left, not a stack) and fits the summary table to the width', async () => {
    const bytes = await inPseudoTerminal(sb, [
      'run',
      'wide_dag_for_narrow_terminals',
      '--date',
      '2025-01-01',
    ]);
    const rows = (await screenOf(bytes)).filter((r) => r.trim() !== '');
    // The board's title starts every frame: with frames redrawn in place exactly one is left on screen.
    // (The summary's header that follows has the run id in parentheses there.)
    const titles = rows.filter((r) => /^wide_dag_for_narrow_terminals 2025-01-01 [a-z]/.test(r));
    expect(titles, rows.join('\n')).to.have.length(1);
    // The summary table: every row of it is whole (starts and ends with its border), none wrapped.
    const table = rows.filter((r) => /^[┌├│└]/.test(r));
    expect(table.length, rows.join('\n')).to.be.greaterThan(8);
    for (const r of table) expect(r, rows.join('\n')).to.match(/[┐┤│┘]$/);
    expect(rows.join('\n')).to.include('  log: ');
    expect(rows.join('\n')).to.include('must wrap');
  });
});
