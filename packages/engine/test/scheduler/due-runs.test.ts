import { defineDag, type Schedule } from '@streampro/engine';
import { dueRuns, nextDueInstant } from '@streampro/engine/internal';
import { expect } from 'chai';

const iso = (d: Date): string => d.toISOString();

function dag(
  schedule: Schedule,
  options: { catchup?: boolean; endDate?: string; maxActiveRuns?: number; startDate?: string } = {},
) {
  const d = defineDag({
    id: 'd',
    schedule,
    startDate: options.startDate ?? '2025-01-01',
    catchup: options.catchup ?? false,
    ...(options.endDate ? { endDate: options.endDate } : {}),
    maxActiveRuns: options.maxActiveRuns ?? 100,
  });
  d.task({ id: 't', run: () => {} });
  return d;
}

const at = (text: string): Date => new Date(text);

describe('dueRuns', () => {
  const cases: {
    name: string;
    schedule: Schedule;
    options?: Parameters<typeof dag>[1];
    now: string;
    lastScheduled?: string;
    activeRuns?: number;
    want: string[];
  }[] = [
    {
      name: '@daily run D is due once D+1 has begun, not before',
      schedule: '@daily',
      now: '2025-01-01T23:59:59.999Z',
      want: [],
    },
    {
      name: '@daily at D+1 exactly: the run of D',
      schedule: '@daily',
      now: '2025-01-02T00:00:00.000Z',
      want: ['2025-01-01T00:00:00.000Z'],
    },
    {
      name: 'catchup: every ended interval since the start date, oldest first',
      schedule: '@daily',
      options: { catchup: true },
      now: '2025-01-04T10:00:00.000Z',
      want: ['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z'],
    },
    {
      name: 'catchup: from the interval after the last scheduled run',
      schedule: '@daily',
      options: { catchup: true },
      now: '2025-01-04T10:00:00.000Z',
      lastScheduled: '2025-01-02T00:00:00.000Z',
      want: ['2025-01-03T00:00:00.000Z'],
    },
    {
      name: 'catchup: bounded by maxActiveRuns minus the active runs',
      schedule: '@daily',
      options: { catchup: true, maxActiveRuns: 3 },
      now: '2025-01-10T00:00:00.000Z',
      activeRuns: 1,
      want: ['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z'],
    },
    {
      name: 'no budget left: nothing',
      schedule: '@daily',
      options: { catchup: false, maxActiveRuns: 1 },
      now: '2025-01-10T00:00:00.000Z',
      activeRuns: 1,
      want: [],
    },
    {
      name: 'no catchup: only the latest ended interval',
      schedule: '@daily',
      now: '2025-01-04T10:00:00.000Z',
      want: ['2025-01-03T00:00:00.000Z'],
    },
    {
      name: 'no catchup: nothing when the latest ended interval already has its scheduled run',
      schedule: '@daily',
      now: '2025-01-04T10:00:00.000Z',
      lastScheduled: '2025-01-03T00:00:00.000Z',
      want: [],
    },
    {
      name: 'no catchup: the latest after a long pause, skipping the missed ones',
      schedule: '@hourly',
      now: '2025-01-04T10:30:00.000Z',
      lastScheduled: '2025-01-01T05:00:00.000Z',
      want: ['2025-01-04T09:00:00.000Z'],
    },
    {
      name: 'catchup stops at endDate',
      schedule: '@daily',
      options: { catchup: true, endDate: '2025-01-02' },
      now: '2025-01-10T00:00:00.000Z',
      want: ['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z'],
    },
    {
      name: 'no catchup after endDate: the last date not past it, once',
      schedule: '@daily',
      options: { endDate: '2025-01-05T12:00:00Z' },
      now: '2025-01-10T00:00:00.000Z',
      want: ['2025-01-05T00:00:00.000Z'],
    },
    {
      name: 'no catchup after endDate, its run created: nothing more',
      schedule: '@daily',
      options: { endDate: '2025-01-05' },
      now: '2025-01-10T00:00:00.000Z',
      lastScheduled: '2025-01-05T00:00:00.000Z',
      want: [],
    },
    {
      name: 'before the start date: nothing',
      schedule: '@daily',
      options: { catchup: true, startDate: '2025-02-01' },
      now: '2025-01-10T00:00:00.000Z',
      want: [],
    },
    {
      name: 'first interval not ended yet: nothing (no catchup)',
      schedule: '@daily',
      options: { startDate: '2025-01-10' },
      now: '2025-01-10T12:00:00.000Z',
      want: [],
    },
    {
      name: 'a time zone: 06:00 Paris is 05:00Z in winter and 04:00Z in summer',
      schedule: { cron: '0 6 * * *', timezone: 'Europe/Paris' },
      options: { catchup: true, startDate: '2025-03-29' },
      now: '2025-04-01T00:00:00.000Z',
      want: ['2025-03-29T05:00:00.000Z', '2025-03-30T04:00:00.000Z'],
    },
    {
      name: '@once: its start date, once it has come',
      schedule: '@once',
      now: '2025-01-01T00:00:00.000Z',
      want: ['2025-01-01T00:00:00.000Z'],
    },
    {
      name: '@once already scheduled: nothing',
      schedule: '@once',
      now: '2025-02-01T00:00:00.000Z',
      lastScheduled: '2025-01-01T00:00:00.000Z',
      want: [],
    },
    { name: 'manual-only DAG: never', schedule: null, now: '2025-02-01T00:00:00.000Z', want: [] },
    {
      name: 'asset-scheduled DAG: never by time',
      schedule: { assets: ['lake://a'] },
      options: { catchup: true },
      now: '2025-02-01T00:00:00.000Z',
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = dueRuns(dag(c.schedule, c.options), {
        now: at(c.now),
        lastScheduled: c.lastScheduled ? at(c.lastScheduled) : null,
        activeRuns: c.activeRuns ?? 0,
      });
      expect(got.map(iso)).to.deep.equal(c.want);
    });
  }

  it('an @hourly DAG gets 24 runs over a day, one by one as hours end', () => {
    const d = dag('@hourly', { startDate: '2025-01-01' });
    const created: string[] = [];
    let last: Date | null = null;
    for (let t = Date.parse('2025-01-01T00:00:00Z'); t <= Date.parse('2025-01-02T00:00:00Z'); t += 60_000) {
      for (const due of dueRuns(d, { now: new Date(t), lastScheduled: last, activeRuns: 0 })) {
        created.push(iso(due));
        last = due;
      }
    }
    expect(created).to.have.length(24);
    expect(created[0]).to.equal('2025-01-01T00:00:00.000Z');
    expect(created[23]).to.equal('2025-01-01T23:00:00.000Z');
  });
});

describe('time-zone schedules', () => {
  it('rejects an unknown time zone with the DAG named', () => {
    expect(() => dag({ cron: '0 6 * * *', timezone: 'Europe/Pariss' })).to.throw(
      'DAG \'d\': unknown time zone "Europe/Pariss"; use an IANA name such as Europe/Paris or UTC',
    );
  });
});

describe('nextDueInstant', () => {
  const next = (d: ReturnType<typeof dag>, now: string): string | null => {
    const instant = nextDueInstant(d, at(now));
    return instant && iso(instant);
  };

  it('is the end of the interval in progress: the next cron instant', () => {
    expect(next(dag('@daily'), '2025-01-05T10:00:00Z')).to.equal('2025-01-06T00:00:00.000Z');
    expect(next(dag('@hourly'), '2025-01-05T10:00:00Z')).to.equal('2025-01-05T11:00:00.000Z');
    expect(next(dag({ cron: '0 6 * * *', timezone: 'Europe/Paris' }), '2025-07-01T10:00:00Z')).to.equal(
      '2025-07-02T04:00:00.000Z',
    );
  });

  it('is null past the end date, for schedules without time, and for @once behind; @once ahead is its start', () => {
    expect(next(dag('@daily', { endDate: '2025-01-03' }), '2025-01-05T10:00:00Z')).to.equal(null);
    expect(next(dag(null), '2025-01-05T10:00:00Z')).to.equal(null);
    expect(next(dag({ assets: ['lake://a'] }), '2025-01-05T10:00:00Z')).to.equal(null);
    expect(next(dag('@once', { startDate: '2025-01-01' }), '2025-01-05T10:00:00Z')).to.equal(null);
    expect(next(dag('@once', { startDate: '2025-02-01' }), '2025-01-05T10:00:00Z')).to.equal(
      '2025-02-01T00:00:00.000Z',
    );
  });
});
