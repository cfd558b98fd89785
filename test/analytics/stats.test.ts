import { expect } from 'chai';
import { twoProportionZ, wilsonInterval } from '../../dags/lib/analytics/index.js';

describe('report statistics', () => {
  it('computes the Wilson 95% score interval (worked by hand: centre (p + z²/2n) / (1 + z²/n))', () => {
    const [lo, hi] = wilsonInterval(15, 20);
    expect(lo).to.be.closeTo(0.5313, 1e-4);
    expect(hi).to.be.closeTo(0.8881, 1e-4);
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).to.equal(0);
    expect(hi0).to.be.closeTo(0.2775, 1e-4);
    expect(wilsonInterval(0, 0)).to.deep.equal([0, 0]);
  });

  it('computes the pooled one-sided two-proportion z-score', () => {
    // 50/80 against 60/400: pooled p = 110/480.
    const p = 110 / 480;
    const expected = (50 / 80 - 60 / 400) / Math.sqrt(p * (1 - p) * (1 / 80 + 1 / 400));
    expect(twoProportionZ(50, 80, 60, 400)).to.be.closeTo(expected, 1e-12);
    expect(twoProportionZ(60, 400, 50, 80)).to.be.closeTo(-expected, 1e-12);
    expect(twoProportionZ(0, 30, 0, 100)).to.equal(0);
    expect(twoProportionZ(3, 30, 0, 0)).to.equal(0);
  });
});
