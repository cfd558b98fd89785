import { expect } from 'chai';
import { UsageError } from '../../src/errors.js';
import { dateLabel, parseDateFlag, parseDateRange } from '../../src/parse/dates.js';

describe('date flags', () => {
  it('parses YYYY-MM-DD as midnight UTC', () => {
    expect(parseDateFlag('date', '2025-09-09').toISOString()).to.equal('2025-09-09T00:00:00.000Z');
  });

  it('rejects a date that is not on the calendar, naming the flag', () => {
    expect(() => parseDateFlag('date', '2025-02-30'))
      .to.throw(UsageError)
      .with.property('message')
      .that.matches(/--date "2025-02-30": not a real calendar date/);
  });

  it('rejects text that is not a date', () => {
    expect(() => parseDateFlag('start', 'yesterday')).to.throw(UsageError, 'expected YYYY-MM-DD');
  });

  it('accepts a range in order and rejects --end before --start', () => {
    const r = parseDateRange('2025-01-01', '2025-01-10');
    expect(r.end.getTime() - r.start.getTime()).to.equal(9 * 86_400_000);
    expect(() => parseDateRange('2025-01-10', '2025-01-01')).to.throw(
      UsageError,
      '--end 2025-01-01 is before --start 2025-01-10',
    );
  });

  it('labels midnight UTC as a plain date', () => {
    expect(dateLabel('2025-09-09T00:00:00.000Z')).to.equal('2025-09-09');
    expect(dateLabel('2025-09-09T13:00:00.000Z')).to.equal('2025-09-09T13:00:00.000Z');
    expect(dateLabel(null)).to.equal(null);
  });
});
