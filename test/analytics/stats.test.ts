import { expect } from 'chai';
import { twoProportionZ, wilsonInterval, Z_95, Z_95_ONE_SIDED } from '../../dags/lib/analytics/index.js';

describe('report statistics', () => {
  it('computes the Wilson 95% score interval (worked by hand: centre (p + z²/2n) / (1 + z²/n))', () => {
    const [lo, hi] = wilsonInterval(15, 20);
    expect(lo).to.be.closeTo(0.5313, 1e-4);
    expect(hi).to.be.closeTo(0.8881, 1e-4);
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).to.equal(0);
    expect(hi0).to.be.closeTo(0.2775, 1e-4);
    expect(wilsonInterval(0, 0)).to.deep.equal([0, 0]);
    // Exactly 0 and 1 at the extremes (the formula alone leaves 5.6e-17 for 0 of 7).
    expect(wilsonInterval(0, 7)[0]).to.equal(0);
    expect(wilsonInterval(7, 7)[1]).to.equal(1);
  });

  it('uses the standard normal quantiles: 1.96 two-sided and 1.645 one-sided at 95%', () => {
    expect(Z_95).to.equal(1.959963984540054);
    expect(Z_95_ONE_SIDED).to.equal(1.6448536269514722);
    // Φ(z) by the Abramowitz–Stegun 7.1.26 erf approximation (error < 1.5e-7).
    const phi = (z: number): number => {
      const x = z / Math.SQRT2;
      const t = 1 / (1 + 0.3275911 * x);
      const poly =
        t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
      return 0.5 * (1 + (1 - poly * Math.exp(-x * x)));
    };
    expect(phi(Z_95)).to.be.closeTo(0.975, 1e-6);
    expect(phi(Z_95_ONE_SIDED)).to.be.closeTo(0.95, 1e-6);
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
