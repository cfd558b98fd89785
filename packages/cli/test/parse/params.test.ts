import { expect } from 'chai';
import { UsageError } from '../../src/errors.js';
import { parseParamFlags, positiveInt } from '../../src/parse/params.js';

describe('parseParamFlags', () => {
  it('splits key=value on the first = and keeps values as strings', () => {
    expect(parseParamFlags(['limit=10', 'query=a=b', 'empty='])).to.deep.equal({
      limit: '10',
      query: 'a=b',
      empty: '',
    });
    expect(parseParamFlags(undefined)).to.deep.equal({});
  });

  for (const bad of ['limit', '=10', ' =x']) {
    it(`rejects ${JSON.stringify(bad)} with a usage error`, () => {
      expect(() => parseParamFlags([bad]))
        .to.throw(UsageError)
        .with.property('message')
        .that.matches(/malformed --param .*expected key=value/);
    });
  }

  it('rejects a param given twice', () => {
    expect(() => parseParamFlags(['a=1', 'a=2'])).to.throw(UsageError, "--param 'a' is given twice");
  });
});

describe('positiveInt', () => {
  it('accepts positive integers and undefined', () => {
    expect(positiveInt('limit', 3)).to.equal(3);
    expect(positiveInt('limit', undefined)).to.equal(undefined);
  });
  it('rejects zero, negatives, fractions and NaN', () => {
    for (const v of [0, -1, 1.5, Number.NaN]) {
      expect(() => positiveInt('max-active-runs', v)).to.throw(
        UsageError,
        '--max-active-runs must be a positive integer',
      );
    }
  });
});
