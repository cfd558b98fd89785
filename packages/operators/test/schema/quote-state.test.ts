import { expect } from 'chai';
import { quoteStateAfter } from '../../src/schema/quote-state.js';

describe('quoteStateAfter', () => {
  const cases: readonly [string, 'open' | 'closed', string][] = [
    ['a,b,c', 'closed', 'closed'],
    ['a,"b, c",d', 'closed', 'closed'],
    ['a,"say ""hi""",d', 'closed', 'closed'],
    ['v9001,"Line one', 'closed', 'open'],
    ['"', 'closed', 'open'],
    ['a,"b""', 'closed', 'open'],
    ['a,b"c', 'closed', 'bad'],
    ['a,"b"c', 'closed', 'bad'],
    ['a, "b"', 'closed', 'bad'],
    ['Line two",Comedy,120', 'open', 'closed'],
    ['still ""inside', 'open', 'open'],
    ['', 'open', 'open'],
    ['end",x,"again', 'open', 'open'],
    ['end"x', 'open', 'bad'],
    ['"', 'open', 'closed'],
  ];
  for (const [text, start, expected] of cases) {
    it(`${JSON.stringify(text)} from ${start} ends ${expected}`, () => {
      expect(quoteStateAfter(text, start, ',')).to.equal(expected);
    });
  }

  it('uses the given delimiter', () => {
    expect(quoteStateAfter('a;"b;c', 'closed', ';')).to.equal('open');
    expect(quoteStateAfter('a,"b', 'closed', ';')).to.equal('bad');
  });
});
