import {
  DagDefinitionError,
  dataIntervalOf,
  defineDag,
  describeSchedule,
  ID_RULE,
  InvalidInputError,
  isDag,
  logicalDatesBetween,
  parseLogicalDate,
  resolveParams,
  type Schedule,
  toDate,
} from '@streampro/engine';
import { expect } from 'chai';
import { thrown } from '../support/fixtures.js';

function definitionError(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).to.be.instanceOf(DagDefinitionError);
  expect(error.name).to.equal('DagDefinitionError');
  return error.message;
}

function inputError(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).to.be.instanceOf(InvalidInputError);
  return error.message;
}

describe('DAG definitions', () => {
  describe('ids', () => {
    for (const id of ['', 'has space', 'a/b', '..', '.', 'x'.repeat(201), 'naïve']) {
      it(`rejects the DAG id ${JSON.stringify(id.length > 20 ? `${id.slice(0, 5)}…` : id)}`, () => {
        expect(definitionError(() => defineDag({ id, startDate: '2025-01-01' }))).to.equal(
          `invalid DAG id ${JSON.stringify(id)}: ${ID_RULE}`,
        );
      });
    }

    it('rejects task ids that would escape their log folder', () => {
      const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
      expect(definitionError(() => dag.task({ id: '../etc', run: () => 1 }))).to.equal(
        `invalid task id "../etc": ${ID_RULE}`,
      );
      expect(definitionError(() => dag.task({ id: '..', run: () => 1 }))).to.equal(
        `invalid task id "..": ${ID_RULE}`,
      );
      expect(definitionError(() => dag.group('a/b'))).to.equal(`invalid task group id "a/b": ${ID_RULE}`);
      expect(dag.tasks).to.deep.equal([]);
    });

    it('accepts letters, digits, underscore, dot and hyphen; groups prefix their task ids', () => {
      const dag = defineDag({ id: 'Lake.ingest_v2-daily', startDate: '2025-01-01' });
      const t = dag.group('users').task({ id: 'land-raw_1', run: () => 1 });
      expect(t).to.deep.equal({ id: 'users.land-raw_1', dagId: 'Lake.ingest_v2-daily' });
      expect(dag.getTask('users.land-raw_1')?.group).to.equal('users');
      expect(isDag(dag)).to.equal(true);
      expect(isDag({ id: 'x' })).to.equal(false);
    });
  });

  describe('graph', () => {
    it('rejects a duplicate task id, also through a group', () => {
      const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
      dag.task({ id: 'a', run: () => 1 });
      dag.task({ id: 'g.b', run: () => 1 });
      expect(definitionError(() => dag.task({ id: 'a', run: () => 2 }))).to.equal(
        "DAG 'd': duplicate task id 'a'",
      );
      expect(definitionError(() => dag.group('g').task({ id: 'b', run: () => 2 }))).to.equal(
        "DAG 'd': duplicate task id 'g.b'",
      );
    });

    it('rejects a cycle made with dependsOn, naming its path', () => {
      const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
      const a = dag.task({ id: 'a', run: () => 1 });
      const b = dag.task({ id: 'b', upstream: [a], run: () => 1 });
      const c = dag.task({ id: 'c', upstream: [b], run: () => 1 });
      expect(definitionError(() => dag.dependsOn(a, c))).to.equal(
        "DAG 'd': dependency c -> a creates a cycle: a -> b -> c -> a",
      );
      expect(definitionError(() => dag.dependsOn(b, b))).to.equal(
        "DAG 'd': dependency b -> b creates a cycle: b -> b",
      );
      expect(dag.getTask('a')?.upstreamIds).to.deep.equal([]);
      expect(dag.topologicalOrder()).to.deep.equal(['a', 'b', 'c']);
    });

    it('adds ordering-only dependencies with dependsOn', () => {
      const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
      const late = dag.task({ id: 'late', run: () => 1 });
      const early = dag.task({ id: 'early', run: () => 1 });
      dag.dependsOn(late, [early, early]);
      expect(dag.getTask('late')?.upstreamIds).to.deep.equal(['early']);
      expect(dag.topologicalOrder()).to.deep.equal(['early', 'late']);
    });

    it('rejects an upstream task of another DAG', () => {
      const other = defineDag({ id: 'other', startDate: '2025-01-01' });
      const foreign = other.task({ id: 'x', run: () => 1 });
      const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
      dag.task({ id: 'x', run: () => 1 });
      expect(definitionError(() => dag.task({ id: 'y', upstream: [foreign], run: () => 1 }))).to.equal(
        `DAG 'd' task 'y': upstream "x" is not a task declared earlier in this DAG`,
      );
      const own = dag.task({ id: 'z', run: () => 1 });
      expect(definitionError(() => dag.dependsOn(own, foreign))).to.equal(
        `DAG 'd' dependsOn: upstream "x" is not a task declared earlier in this DAG`,
      );
    });

    it('rejects outlets that are not asset URIs and a run that is not a function', () => {
      const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
      expect(
        definitionError(() => dag.task({ id: 't', outlets: ['trusted/events'], run: () => 1 })),
      ).to.equal(`DAG 'd' task 't': outlet "trusted/events" is not an asset URI like lake://trusted/events`);
      // JavaScript DAG files are not type-checked; the cast stands in for one.
      const noRun = { id: 'u', run: 'nope' } as unknown as { id: 'u'; run: () => number };
      expect(definitionError(() => dag.task(noRun))).to.equal(`DAG 'd' task 'u': run must be a function`);
    });

    it('rejects maxActiveTasks and maxActiveRuns that are not positive integers', () => {
      expect(
        definitionError(() => defineDag({ id: 'd', startDate: '2025-01-01', maxActiveTasks: 0 })),
      ).to.equal("DAG 'd': maxActiveTasks must be a positive integer, got 0");
      expect(
        definitionError(() => defineDag({ id: 'd', startDate: '2025-01-01', maxActiveRuns: 1.5 })),
      ).to.equal("DAG 'd': maxActiveRuns must be a positive integer, got 1.5");
    });
  });

  describe('params', () => {
    const specs = {
      limit: { default: 100 },
      dry: { default: false },
      prefix: { default: 'raw/' },
    } as const;

    it('uses defaults and converts command-line strings to the declared type', () => {
      expect(resolveParams('d', specs)).to.deep.equal({ limit: 100, dry: false, prefix: 'raw/' });
      expect(resolveParams('d', specs, { limit: '25', dry: 'true', prefix: '7' })).to.deep.equal({
        limit: 25,
        dry: true,
        prefix: '7',
      });
      expect(resolveParams('d', specs, { limit: 3, dry: false })).to.deep.include({ limit: 3, dry: false });
    });

    it('names unknown params and the known ones', () => {
      expect(inputError(() => resolveParams('d', specs, { limt: '1' }))).to.equal(
        "unknown param 'limt' for DAG 'd'; known params: limit, dry, prefix",
      );
      expect(inputError(() => resolveParams('d', {}, { x: '1' }))).to.equal(
        "unknown param 'x' for DAG 'd'; known params: (none)",
      );
    });

    it('rejects values that do not convert', () => {
      expect(inputError(() => resolveParams('d', specs, { limit: 'ten' }))).to.equal(
        `param 'limit' of DAG 'd' must be a number, got "ten"`,
      );
      expect(inputError(() => resolveParams('d', specs, { limit: ' ' }))).to.equal(
        `param 'limit' of DAG 'd' must be a number, got " "`,
      );
      expect(inputError(() => resolveParams('d', specs, { dry: 'yes' }))).to.equal(
        `param 'dry' of DAG 'd' must be a boolean, got "yes"`,
      );
    });

    it('rejects param declarations without a string, number or boolean default', () => {
      // Untyped DAG files can declare anything.
      const bad = { when: { default: null } } as unknown as Record<string, { default: string }>;
      expect(definitionError(() => defineDag({ id: 'd', startDate: '2025-01-01', params: bad }))).to.equal(
        "DAG 'd': param 'when' must have a string, number or boolean default, got object",
      );
    });
  });

  describe('schedules', () => {
    const start = new Date('2025-01-01T00:00:00Z');
    const dates = (schedule: Schedule, from: string, to: string) =>
      logicalDatesBetween(
        defineDag({ id: 'd', startDate: '2025-01-01', schedule }).parsedSchedule,
        start,
        new Date(from),
        new Date(to),
      ).map((d) => d.toISOString());

    it('expands presets in UTC', () => {
      expect(dates('@daily', '2025-01-30T00:00:00Z', '2025-02-02T00:00:00Z')).to.deep.equal([
        '2025-01-30T00:00:00.000Z',
        '2025-01-31T00:00:00.000Z',
        '2025-02-01T00:00:00.000Z',
        '2025-02-02T00:00:00.000Z',
      ]);
      expect(dates('@hourly', '2025-03-01T22:30:00Z', '2025-03-02T01:00:00Z')).to.deep.equal([
        '2025-03-01T23:00:00.000Z',
        '2025-03-02T00:00:00.000Z',
        '2025-03-02T01:00:00.000Z',
      ]);
      expect(dates('@weekly', '2025-01-01T00:00:00Z', '2025-01-20T00:00:00Z')).to.deep.equal([
        '2025-01-05T00:00:00.000Z',
        '2025-01-12T00:00:00.000Z',
        '2025-01-19T00:00:00.000Z',
      ]);
      expect(dates('@monthly', '2025-01-15T00:00:00Z', '2025-04-01T00:00:00Z')).to.deep.equal([
        '2025-02-01T00:00:00.000Z',
        '2025-03-01T00:00:00.000Z',
        '2025-04-01T00:00:00.000Z',
      ]);
      expect(dates('@yearly', '2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).to.have.length(3);
      expect(dates('30 6 * * 1-5', '2025-01-03T00:00:00Z', '2025-01-07T12:00:00Z')).to.deep.equal([
        '2025-01-03T06:30:00.000Z',
        '2025-01-06T06:30:00.000Z',
        '2025-01-07T06:30:00.000Z',
      ]);
    });

    it('gives @once only its start date, and manual or asset DAGs one date per day', () => {
      expect(dates('@once', '2024-12-01T00:00:00Z', '2025-12-31T00:00:00Z')).to.deep.equal([
        '2025-01-01T00:00:00.000Z',
      ]);
      expect(dates(null, '2025-01-01T00:00:00Z', '2025-01-03T00:00:00Z')).to.have.length(3);
      expect(
        dates({ assets: ['lake://trusted/events'] }, '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z'),
      ).to.have.length(2);
    });

    it('derives data intervals from the schedule', () => {
      const monthly = defineDag({ id: 'm', startDate: '2025-01-01', schedule: '@monthly' }).parsedSchedule;
      const interval = dataIntervalOf(monthly, new Date('2025-02-01T00:00:00Z'));
      expect([interval.start.toISOString(), interval.end.toISOString()]).to.deep.equal([
        '2025-02-01T00:00:00.000Z',
        '2025-03-01T00:00:00.000Z',
      ]);
      expect(describeSchedule({ assets: ['a://x', 'b://y'] })).to.equal('assets(a://x, b://y)');
      expect(
        describeSchedule({
          assets: ['a://x', 'b://y', 'c://z'],
          partitions: { 'a://x': { from: 0, to: 4 }, 'b://y': { from: null, to: 2 } },
        }),
      ).to.equal('assets(a://x D..D+4, b://y ≤D+2, c://z)');
      expect(describeSchedule(null)).to.equal('none');
    });

    it('rejects an invalid cron expression and an empty asset schedule', () => {
      const message = definitionError(() =>
        defineDag({ id: 'd', startDate: '2025-01-01', schedule: '61 * * * *' }),
      );
      expect(message).to.match(/^DAG 'd': invalid schedule "61 \* \* \* \*" \(.+\); /);
      expect(
        message.endsWith(
          'use a 5-field cron expression or one of @hourly, @daily, @weekly, @monthly, @yearly, @once',
        ),
      ).to.equal(true);
      expect(
        definitionError(() => defineDag({ id: 'd', startDate: '2025-01-01', schedule: '@fortnightly' })),
      ).to.match(/^DAG 'd': invalid schedule "@fortnightly"/);
      expect(
        definitionError(() => defineDag({ id: 'd', startDate: '2025-01-01', schedule: { assets: [] } })),
      ).to.equal("DAG 'd': an asset schedule needs at least one asset URI");
    });
  });

  describe('dates', () => {
    it('parses YYYY-MM-DD as midnight UTC and ISO date-times with an offset', () => {
      expect(parseLogicalDate('2025-09-09').toISOString()).to.equal('2025-09-09T00:00:00.000Z');
      expect(parseLogicalDate('2024-02-29').toISOString()).to.equal('2024-02-29T00:00:00.000Z');
      expect(parseLogicalDate('2025-09-09T13:30:00+02:00').toISOString()).to.equal(
        '2025-09-09T11:30:00.000Z',
      );
      expect(parseLogicalDate('2025-09-09T13:30:00.123Z').toISOString()).to.equal('2025-09-09T13:30:00.123Z');
    });

    it('rejects dates that are not on the calendar, and says so', () => {
      expect(inputError(() => parseLogicalDate('2025-02-30'))).to.equal(
        'invalid date "2025-02-30": not a real calendar date',
      );
      expect(inputError(() => parseLogicalDate('2025-02-29', 'start date'))).to.equal(
        'invalid start date "2025-02-29": not a real calendar date',
      );
      expect(inputError(() => parseLogicalDate('2025-13-01T00:00:00Z'))).to.equal(
        'invalid date "2025-13-01T00:00:00Z": not a real calendar date',
      );
    });

    it('rejects malformed dates with the expected format', () => {
      for (const text of ['2025-9-9', '09/09/2025', '2025-09-09T10:00:00', 'today']) {
        expect(inputError(() => parseLogicalDate(text))).to.equal(
          `invalid date ${JSON.stringify(text)}: expected YYYY-MM-DD (e.g. 2025-09-09) or an ISO 8601 date-time with Z or an offset`,
        );
      }
      expect(inputError(() => toDate(new Date(Number.NaN)))).to.equal('invalid date: not a valid Date');
    });

    it('rejects a DAG whose start date is invalid', () => {
      expect(definitionError(() => defineDag({ id: 'd', startDate: '2025-02-30' }))).to.equal(
        `invalid startDate of DAG 'd' "2025-02-30": not a real calendar date`,
      );
    });
  });
});
