import { defineDag, InvalidInputError } from '@streampro/engine';
import { effectiveParams, recordableParams } from '@streampro/engine/internal';
import { expect } from 'chai';
import { thrown } from '../support/fixtures.js';

const dag = defineDag({
  id: 'p',
  startDate: '2025-01-01',
  params: { batch: { default: 1 }, label: { default: 'a' }, token: { default: 'unset', secret: true } },
});

describe('effectiveParams', () => {
  const cases: readonly [
    string,
    Record<string, string | number>,
    Record<string, string> | undefined,
    object,
  ][] = [
    ['defaults for a new run', {}, undefined, { batch: 1, label: 'a', token: 'unset' }],
    ['recorded values on a resume', { batch: 7 }, undefined, { batch: 7, label: 'a', token: 'unset' }],
    ['an empty object gives nothing', { batch: 7 }, {}, { batch: 7, label: 'a', token: 'unset' }],
    [
      'given values replace one by one',
      { batch: 7, label: 'b' },
      { batch: '9' },
      { batch: 9, label: 'b', token: 'unset' },
    ],
    [
      'a recorded secret is ignored',
      { token: 'leaked' },
      undefined,
      { batch: 1, label: 'a', token: 'unset' },
    ],
    ['a given secret is used', {}, { token: 's3cr3t' }, { batch: 1, label: 'a', token: 's3cr3t' }],
    [
      'recorded names no longer declared are dropped',
      { gone: 'x', batch: 2 },
      undefined,
      { batch: 2, label: 'a', token: 'unset' },
    ],
  ];
  for (const [what, recorded, given, expected] of cases) {
    it(what, () => {
      expect(effectiveParams(dag, recorded, given)).to.deep.equal(expected);
    });
  }

  it('rejects an unknown given name with InvalidInputError', () => {
    const error = thrown(() => effectiveParams(dag, {}, { nope: '1' }));
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.equal("unknown param 'nope' for DAG 'p'; known params: batch, label, token");
  });
});

describe('recordableParams', () => {
  it('keeps declared, non-secret params only', () => {
    expect(recordableParams(dag, { batch: 3, label: 'z', token: 'secret', gone: 1 })).to.deep.equal({
      batch: 3,
      label: 'z',
    });
  });
});
