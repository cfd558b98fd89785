import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { computeReport } from '../../dags/lib/analytics/index.js';
import { fileManifest, formatManifest } from '../../scripts/generate/cli.js';
import { generateDay, generateDays } from '../../scripts/generate/index.js';
import { withTrusted } from './support/duckdb.js';
import { referenceAnswers } from './support/reference.js';

const DATA = new URL('../../data/', import.meta.url).pathname;
const committed = (name: string): Buffer => readFileSync(join(DATA, name));

describe('committed sample (data/)', () => {
  it('holds exactly what the generator produces for 2025-09-09 alone (the quick start)', () => {
    const day = generateDay({ date: '2025-09-09' });
    for (const [name, text] of Object.entries(day.files)) {
      expect(committed(name).equals(Buffer.from(text, 'utf8')), name).to.equal(true);
    }
  });

  it('holds exactly what `npm run generate -- --start 2025-09-09 --end 2025-09-13` writes', () => {
    const days = generateDays('2025-09-09', '2025-09-13');
    const expected = new Set<string>();
    for (const day of days) {
      for (const [name, text] of Object.entries(day.files)) {
        expected.add(name);
        expect(committed(name).equals(Buffer.from(text, 'utf8')), name).to.equal(true);
      }
      const manifest = join('manifests', `dirt_${day.date}.json`);
      expect(committed(manifest).toString('utf8'), manifest).to.equal(formatManifest(day.manifest));
      const files = join('manifests', `files_${day.date}.json`);
      expect(committed(files).toString('utf8'), files).to.equal(formatManifest(fileManifest(day.files)));
    }
    const landing = readdirSync(DATA).filter((name) => /\.(csv|jsonl)$/.test(name));
    expect(landing.sort()).to.deep.equal([...expected].sort());
  });

  for (const [label, end] of [
    ['2025-09-09 only', '2025-09-09'],
    ['all five days', '2025-09-13'],
  ] as const) {
    it(`answers Q1 1.0% (1 of 100), Q2 Comedy, Q3 iOS 2.0.1 for 2025-09-09 from ${label}`, async () => {
      const days = generateDays('2025-09-09', end).map((d) => d.records);
      const report = await withTrusted(days, (c) => computeReport(c, '2025-09-09'));
      expect(report.q1).to.include({ newUsers: 100, reached30s: 1, pct: 1 });
      expect(report.q2.top).to.equal('Comedy');
      // Comedy leads (14/19) but not clearly: against Romance (5/10) the one-sided z is 1.28 < 1.645.
      expect(report.q2).to.include({ runnerUp: 'Romance', clearWinner: false });
      // The sample's last day is 2025-09-13, so only a report reading 09-09 … 09-13 is final.
      expect([report.status, report.q2.windowComplete]).to.deep.equal(
        end === '2025-09-13' ? ['final', true] : ['provisional', false],
      );
      expect(report.q3.abnormal).to.deep.equal([{ deviceOs: 'iOS', appVersion: '2.0.1' }]);
      const ref = referenceAnswers(days, '2025-09-09');
      expect([ref.q1.reached30s, ref.q2.top, ref.q3.abnormal]).to.deep.equal([1, 'Comedy', ['iOS 2.0.1']]);
    });
  }
});
