import {
  assertScheduledLogicalDate,
  defineDag,
  InvalidInputError,
  parseLogicalDate,
  type Schedule,
  scheduledNeighbours,
} from '@streampro/engine';
import { expect } from 'chai';
import { thrown } from '../support/fixtures.js';

function dagOf(schedule: Schedule, startDate = '2025-09-01') {
  return defineDag({ id: 'd', startDate, schedule });
}

describe('assertScheduledLogicalDate', () => {
  const accepted: readonly [Schedule, string][] = [
    ['@daily', '2025-10-01'],
    ['@daily', '2025-10-01T00:00:00Z'],
    ['@daily', '2025-10-01T02:00:00+02:00'],
    ['@daily', '2025-09-01'],
    ['@hourly', '2025-10-01T13:00:00Z'],
    ['@weekly', '2025-10-05'],
    ['@monthly', '2025-11-01'],
    ['0 6 * * 1-5', '2025-10-01T06:00:00Z'],
    // Not periodic: any instant, even before the start date.
    [null, '2025-10-01T06:07:08.009Z'],
    [null, '2025-01-01'],
    [{ assets: ['lake://x'] }, '2025-10-01T06:00:00Z'],
    ['@once', '2025-10-01T06:00:00Z'],
  ];
  for (const [schedule, text] of accepted) {
    it(`accepts ${text} for ${JSON.stringify(schedule)}`, () => {
      assertScheduledLogicalDate(dagOf(schedule), parseLogicalDate(text));
    });
  }

  const rejected: readonly [Schedule, string, string][] = [
    [
      '@daily',
      '2025-10-01T06:00:00Z',
      "logical date 2025-10-01T06:00:00Z is not a scheduled logical date of @daily DAG 'd'; " +
        'nearest: 2025-10-01T00:00:00Z, 2025-10-02T00:00:00Z',
    ],
    [
      '@daily',
      '2025-10-01T12:00:00Z',
      "logical date 2025-10-01T12:00:00Z is not a scheduled logical date of @daily DAG 'd'; " +
        'nearest: 2025-10-01T00:00:00Z, 2025-10-02T00:00:00Z',
    ],
    [
      // +14:00 is the instant 2025-09-08T22:00:00Z, between two midnights.
      '@daily',
      '2025-09-09T12:00:00+14:00',
      "logical date 2025-09-08T22:00:00Z is not a scheduled logical date of @daily DAG 'd'; " +
        'nearest: 2025-09-08T00:00:00Z, 2025-09-09T00:00:00Z',
    ],
    [
      '@daily',
      '2025-10-01T00:00:00.500Z',
      "logical date 2025-10-01T00:00:00.500Z is not a scheduled logical date of @daily DAG 'd'; " +
        'nearest: 2025-10-01T00:00:00Z, 2025-10-02T00:00:00Z',
    ],
    [
      '@hourly',
      '2025-10-01T13:30:00Z',
      "logical date 2025-10-01T13:30:00Z is not a scheduled logical date of @hourly DAG 'd'; " +
        'nearest: 2025-10-01T13:00:00Z, 2025-10-01T14:00:00Z',
    ],
    [
      // 2025-10-01 is a Wednesday; @weekly fires on Sundays.
      '@weekly',
      '2025-10-01',
      "logical date 2025-10-01T00:00:00Z is not a scheduled logical date of @weekly DAG 'd'; " +
        'nearest: 2025-09-28T00:00:00Z, 2025-10-05T00:00:00Z',
    ],
    [
      '@yearly',
      '2027-06-01',
      "logical date 2027-06-01T00:00:00Z is not a scheduled logical date of @yearly DAG 'd'; " +
        'nearest: 2027-01-01T00:00:00Z, 2028-01-01T00:00:00Z',
    ],
    [
      // Saturday: weekdays only, so the previous one is Friday and the next Monday.
      '0 6 * * 1-5',
      '2025-10-04T06:00:00Z',
      "logical date 2025-10-04T06:00:00Z is not a scheduled logical date of cron '0 6 * * 1-5' DAG 'd'; " +
        'nearest: 2025-10-03T06:00:00Z, 2025-10-06T06:00:00Z',
    ],
    [
      '@daily',
      '2025-08-31',
      "logical date 2025-08-31T00:00:00Z is before the DAG's start date 2025-09-01; " +
        "the first logical date of DAG 'd' is 2025-09-01T00:00:00Z",
    ],
  ];
  for (const [schedule, text, message] of rejected) {
    it(`rejects ${text} for ${JSON.stringify(schedule)}`, () => {
      const error = thrown(() => assertScheduledLogicalDate(dagOf(schedule), parseLogicalDate(text)));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.equal(message);
    });
  }

  it('names the date as the user gave it, with the instant when an offset changed it', () => {
    const d = dagOf('@daily');
    const cases: readonly [string, string][] = [
      ['2025-10-01T06:00:00Z', '--date 2025-10-01T06:00:00Z is not'],
      ['2025-09-09T12:00:00+14:00', '--date 2025-09-09T12:00:00+14:00 (2025-09-08T22:00:00Z) is not'],
      ['2025-08-30', "--date 2025-08-30 is before the DAG's start date 2025-09-01"],
    ];
    for (const [text, start] of cases) {
      const error = thrown(() =>
        assertScheduledLogicalDate(d, parseLogicalDate(text), { what: '--date', text }),
      );
      expect(error.message.startsWith(start), error.message).to.equal(true);
    }
  });

  it('offers no previous date before the start date', () => {
    const error = thrown(() =>
      assertScheduledLogicalDate(
        dagOf('@daily', '2025-09-01T06:00:00Z'),
        parseLogicalDate('2025-09-01T10:00:00Z'),
      ),
    );
    expect(error.message).to.equal(
      "logical date 2025-09-01T10:00:00Z is not a scheduled logical date of @daily DAG 'd'; " +
        'nearest: 2025-09-02T00:00:00Z',
    );
  });

  it('shows a start date that is not midnight with its time', () => {
    const error = thrown(() =>
      assertScheduledLogicalDate(
        dagOf('@hourly', '2025-09-01T06:30:00Z'),
        parseLogicalDate('2025-09-01T06:00:00Z'),
      ),
    );
    expect(error.message).to.equal(
      "logical date 2025-09-01T06:00:00Z is before the DAG's start date 2025-09-01T06:30:00Z; " +
        "the first logical date of DAG 'd' is 2025-09-01T07:00:00Z",
    );
  });
});

describe('scheduledNeighbours', () => {
  function neighbours(schedule: string, startDate: string, at: string) {
    const dag = dagOf(schedule, startDate);
    if (dag.parsedSchedule.kind !== 'cron') throw new Error('not a cron schedule');
    const { previous, next } = scheduledNeighbours(dag.parsedSchedule, dag.startDate, parseLogicalDate(at));
    return [previous?.toISOString() ?? null, next?.toISOString() ?? null];
  }

  it('gives the date itself as previous when it is scheduled', () => {
    expect(neighbours('@daily', '2025-01-01', '2025-03-01')).to.deep.equal([
      '2025-03-01T00:00:00.000Z',
      '2025-03-02T00:00:00.000Z',
    ]);
  });

  it('finds a previous date years back (Feb 29) without walking from the start date', () => {
    expect(neighbours('0 0 29 2 *', '2000-01-01', '2027-06-01')).to.deep.equal([
      '2024-02-29T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
    ]);
  });

  it('has no previous date before the first scheduled one', () => {
    expect(neighbours('@monthly', '2025-01-15', '2025-01-20')).to.deep.equal([
      null,
      '2025-02-01T00:00:00.000Z',
    ]);
  });
});
