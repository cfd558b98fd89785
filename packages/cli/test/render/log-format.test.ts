import { expect } from 'chai';
import { palette } from '../../src/render/colors.js';
import { formatLogLine, parseLogLine } from '../../src/render/log-format.js';
import { formatDuration, renderTable } from '../../src/render/table.js';

const plain = palette(false);

describe('log lines', () => {
  it('shows time, level, message and extra fields, hiding the scope fields', () => {
    const line = parseLogLine(
      JSON.stringify({
        timestamp: '2025-09-09T13:04:05.123Z',
        level: 'info',
        message: 'wrote file',
        dagId: 'd',
        runId: 'r',
        taskId: 't',
        tryNumber: 1,
        rows: 3,
        file: '/x',
      }),
    );
    expect(formatLogLine(line, plain)).to.equal('13:04:05.123 INFO  wrote file rows=3 file=/x');
  });

  it('prints the error stack under a failed line', () => {
    const text = formatLogLine(
      {
        timestamp: '2025-09-09T13:04:05.123Z',
        level: 'error',
        message: 'try failed',
        error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.ts:1:1)' },
      },
      plain,
    );
    expect(text).to.equal('13:04:05.123 ERROR try failed\n    Error: boom\n    at x (y.ts:1:1)');
  });

  it('keeps a line that is not JSON as its message', () => {
    expect(parseLogLine('{torn')).to.deep.equal({ level: 'info', message: '{torn' });
  });

  it('colours the level only when colours are on', () => {
    const line = { timestamp: '2025-09-09T13:04:05.123Z', level: 'error', message: 'x' };
    expect(formatLogLine(line, palette(true))).to.not.equal(formatLogLine(line, plain));
  });
});

describe('tables and durations', () => {
  it('formats durations at each scale', () => {
    expect([null, 850, 12_345, 245_000, 3_720_000].map(formatDuration)).to.deep.equal([
      '-',
      '850 ms',
      '12.3 s',
      '4m 05s',
      '1h 02m',
    ]);
  });
  it('renders head and rows', () => {
    const text = renderTable(['task', 'state'], [['extract', 'success']]);
    expect(text).to.match(/task +│ state/);
    expect(text).to.match(/extract +│ success/);
  });
});
