import { expect } from 'chai';
import { candidateGaps, type OddLine, planRecords } from '../../src/schema/record-plan.js';

const odd = (line: number, opens: boolean, closes: boolean, bytes = 10): OddLine => ({
  line,
  bytes,
  opens,
  closes,
});

describe('record-plan', () => {
  it('candidateGaps: from each opening odd line to the next odd line', () => {
    expect(candidateGaps([odd(2, true, false), odd(5, false, true), odd(9, true, true)])).to.deep.equal([
      { first: 2, last: 5 },
    ]);
  });

  it('joins an opening line with the next odd line that closes, when nothing between breaks', () => {
    const plan = planRecords([odd(2, true, false), odd(4, false, true), odd(7, true, false)], new Map(), 100);
    expect(plan).to.deep.equal({ joined: [{ first: 2, last: 4 }], unterminated: [7] });
  });

  it('a break between, a closer that does not close, or a record over the limit leaves the opener alone', () => {
    const lines = [odd(2, true, false), odd(5, true, true)];
    const broken = planRecords(lines, new Map([[2, { breaks: 1, bytes: 30 }]]), 100);
    // Line 5 is read again from the start of a record: it opens one that never closes.
    expect(broken).to.deep.equal({ joined: [], unterminated: [2, 5] });
    expect(planRecords([odd(2, true, false), odd(3, true, false)], new Map(), 100)).to.deep.equal({
      joined: [],
      unterminated: [2, 3],
    });
    const big = [odd(2, true, false, 40), odd(6, false, true, 40)];
    const gap = new Map([[2, { breaks: 0, bytes: 20 }]]);
    expect(planRecords(big, gap, 101).joined).to.deep.equal([{ first: 2, last: 6 }]);
    expect(planRecords(big, gap, 100)).to.deep.equal({ joined: [], unterminated: [2] });
  });

  it('a closing line is not looked at again as an opener', () => {
    const plan = planRecords([odd(2, true, false), odd(3, true, true), odd(4, false, true)], new Map(), 100);
    expect(plan).to.deep.equal({ joined: [{ first: 2, last: 3 }], unterminated: [] });
  });
});
