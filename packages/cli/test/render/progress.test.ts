import { PassThrough } from 'node:stream';
import type { BackfillDateResult } from '@streampro/engine';
import { expect } from 'chai';
import { progressBar } from '../../src/render/progress.js';
import { renderTable } from '../../src/render/table.js';

const result = (
  action: BackfillDateResult['action'],
  state: BackfillDateResult['state'],
): BackfillDateResult => ({
  logicalDate: '2025-01-01T00:00:00.000Z',
  action,
  state,
  runId: null,
  durationMs: 1,
  error: null,
});

/** A stream cli-progress takes for a terminal, collecting what it draws. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (d: Buffer) => {
    text += d.toString();
  });
  Object.assign(stream, {
    isTTY: true,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  return { stream, text: () => text };
}

describe('progressBar', () => {
  it('counts only the dates that run: skipped dates are shown apart and do not advance the bar', () => {
    const t = fakeTerminal();
    const bar = progressBar(2, t.stream);
    bar.onRunDone(result('skip', 'skipped'));
    bar.onRunDone(result('skip', 'skipped'));
    bar.onRunDone(result('run', 'success'));
    bar.stop();
    const last = t.text().split('\r').filter(Boolean).pop() ?? '';
    expect(last).to.match(/1\/2 runs \| 0 failed \| 2 skipped/);
  });
});

describe('renderTable with a width', () => {
  it('fits the width by cutting long plain columns into lines, leaving short ones whole', () => {
    const rows = [
      ['a_task_with_a_rather_long_identifier', 'success', '1', 'the/log/path/of/a/try/attempt=1.log'],
    ];
    const text = renderTable(['task', 'state', 'tries', 'log'], rows, 44);
    const lines = text.split('\n');
    for (const line of lines) expect(line.length, text).to.be.at.most(44);
    expect(text).to.include('success');
    expect(lines.map((l) => l.split('│')[1]?.trim() ?? '').join('')).to.include(
      'a_task_with_a_rather_long_identifier',
    );
  });

  it('changes nothing when the table fits', () => {
    const rows = [['a', 'b']];
    expect(renderTable(['x', 'y'], rows, 80)).to.equal(renderTable(['x', 'y'], rows));
  });
});
