import { expect } from 'chai';
import {
  computeReport,
  retentionAnswer,
  twoProportionZ,
  Z_95_ONE_SIDED,
} from '../../dags/lib/analytics/index.js';
import { withTrusted } from './support/duckdb.js';
import { alike, handmadeDay } from './support/handmade.js';

const DATE = '2025-10-01';

describe('Q2 retention answer', () => {
  it('calls a lead clear when the one-sided z of leader vs runner-up reaches 1.645', () => {
    const clear = retentionAnswer(
      [
        { genre: 'Comedy', users: 20, retained: 18 },
        { genre: 'Romance', users: 20, retained: 5 },
        { genre: 'Kids', users: 3, retained: 3 },
      ],
      5,
    );
    // Kids has the highest rate but too few users: it neither leads nor is the runner-up.
    expect(clear.genres.map((g) => g.genre)).to.deep.equal(['Kids', 'Comedy', 'Romance']);
    expect([clear.top, clear.runnerUp, clear.clearWinner]).to.deep.equal(['Comedy', 'Romance', true]);
    expect(clear.leadZ).to.be.closeTo(twoProportionZ(18, 20, 5, 20), 1e-12);
    expect(clear.overallRate).to.be.closeTo(26 / 43, 1e-12);

    const close = retentionAnswer(
      [
        { genre: 'Comedy', users: 20, retained: 15 },
        { genre: 'Romance', users: 20, retained: 12 },
      ],
      5,
    );
    expect([close.top, close.runnerUp, close.clearWinner]).to.deep.equal(['Comedy', 'Romance', false]);
    expect(close.leadZ!).to.be.above(0).and.below(Z_95_ONE_SIDED);
  });

  it('has no runner-up, z or clear lead with a single eligible genre, and no answer with none', () => {
    const alone = retentionAnswer([{ genre: 'Comedy', users: 9, retained: 9 }], 5);
    expect([alone.top, alone.runnerUp, alone.leadZ, alone.clearWinner]).to.deep.equal([
      'Comedy',
      null,
      null,
      false,
    ]);
    const none = retentionAnswer([], 5);
    expect([none.top, none.runnerUp, none.leadZ, none.clearWinner, none.overallRate]).to.deep.equal([
      null,
      null,
      null,
      false,
      null,
    ]);
  });

  it('finds a clear and a not-clear lead in hand-made trusted data', async () => {
    const clear = handmadeDay(DATE, [...alike(20, 18, [['Comedy', 40]]), ...alike(20, 5, [['Romance', 40]])]);
    const report = await withTrusted([clear], (c) => computeReport(c, DATE));
    expect(report.q2).to.include({ top: 'Comedy', runnerUp: 'Romance', clearWinner: true });
    expect(report.q2.genres.map((g) => [g.genre, g.retained, g.users])).to.deep.equal([
      ['Comedy', 18, 20],
      ['Romance', 5, 20],
    ]);

    const close = handmadeDay(DATE, [
      ...alike(20, 15, [['Comedy', 40]]),
      ...alike(20, 12, [['Romance', 40]]),
    ]);
    const closeReport = await withTrusted([close], (c) => computeReport(c, DATE));
    expect(closeReport.q2).to.include({ top: 'Comedy', runnerUp: 'Romance', clearWinner: false });
    expect(closeReport.q2.leadZ).to.be.closeTo(twoProportionZ(15, 20, 12, 20), 1e-12);
  });

  it('ignores videos without a genre: no group, and the genre is chosen among videos with one', async () => {
    const day = handmadeDay(DATE, [
      // Most watch time on a genre-less video, some on Drama: Drama is the first-session genre.
      ...alike(6, 3, [
        [null, 50],
        ['Drama', 5],
      ]),
      // Only genre-less videos: no first-session genre, not in Q2 (still in Q1).
      ...alike(4, 4, [[null, 50]]),
      ...alike(5, 1, [['Comedy', 20]]),
    ]);
    const report = await withTrusted([day], (c) => computeReport(c, DATE));
    expect(report.q2.genres.map((g) => [g.genre, g.retained, g.users])).to.deep.equal([
      ['Drama', 3, 6],
      ['Comedy', 1, 5],
    ]);
    expect(report.q2.top).to.equal('Drama');
    expect(report.q1).to.include({ newUsers: 15, withSession: 15, reached30s: 10 });
  });
});
