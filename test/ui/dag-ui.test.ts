import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { type Sandbox, until, withEngine } from '../cli/helpers.js';
import { NEEDLE } from './fixtures/dags/lib/fixture.js';
import { pipeline } from './fixtures/dags/pipeline.js';
import {
  dagRun,
  dumpStore,
  launchChromium,
  leaseEpoch,
  SCREENSHOTS,
  startUi,
  type UiProcess,
  uiSandbox,
} from './helpers.js';

const OK = '2025-01-01';
const FAILED = '2025-01-02';

/** Expected task states of the pipeline runs the home holds. */
const EXPECTED: Record<string, Record<string, string>> = {
  [`manual__${OK}`]: Object.fromEntries(pipeline.tasks.map((t) => [t.id, 'success'])),
  [`manual__${FAILED}`]: {
    ...Object.fromEntries(pipeline.tasks.map((t) => [t.id, 'success'])),
    'events.trusted': 'failed',
    quality: 'upstream_failed',
  },
};

async function noSeriousViolations(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `accessibility violations on ${what}`).to.deep.equal([]);
}

describe('dag ui', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;

  before(async function () {
    browser = await launchChromium(this);
  });
  after(async () => {
    await browser?.close();
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 860 } });
    return context.newPage();
  };

  describe('over a home with a successful, a failed and a flaky run (read only)', () => {
    let sandbox: Sandbox;
    let ui: UiProcess;
    let storeBefore: Record<string, unknown[]>;

    // One home for the read-only tests: producing runs takes real `dag run` processes.
    before(async () => {
      sandbox = uiSandbox();
      await dagRun(sandbox, 0, 'pipeline', '--date', OK);
      await dagRun(sandbox, 1, 'pipeline', '--date', FAILED);
      await dagRun(sandbox, 0, 'flaky', '--date', OK);
      storeBefore = dumpStore(sandbox);
      ui = await startUi(sandbox);
    });
    after(async () => {
      await ui?.stop();
      await sandbox?.cleanup();
    });

    it('lists the DAGs with their last runs and a banner for the broken DAG file', async () => {
      const page = await newPage();
      await page.goto(ui.url);
      expect(await page.locator('[role=alert]').textContent()).to.contain('broken.ts');
      expect(await page.locator('[role=alert]').textContent()).to.contain(
        'this DAG file is broken on purpose',
      );
      const squares = page.locator('tr[data-dag=pipeline] .squares a');
      expect(await squares.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).to.deep.equal([
        `${OK}: success`,
        `${FAILED}: failed`,
      ]);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'dags.png'), fullPage: true });
      await page.context().close();
    });

    it('shows every task of every run in the grid with its stored state', async () => {
      const page = await newPage();
      await page.goto(`${ui.url}dags/pipeline/grid`);
      const cells = await page
        .locator('a.cell')
        .evaluateAll((els) =>
          els.map((e) => [
            e.getAttribute('data-run'),
            e.getAttribute('data-task'),
            e.getAttribute('data-state'),
            e.getAttribute('aria-label'),
          ]),
        );
      const shown: Record<string, Record<string, string>> = {};
      for (const [run, task, state, label] of cells) {
        shown[run!] = { ...shown[run!], [task!]: state! };
        expect(label).to.contain(task!).and.to.contain(state!.replace('_', ' '));
      }
      expect(shown).to.deep.equal(EXPECTED);
      const stored = await withEngine(sandbox.home, (e) => e.taskGrid('pipeline'));
      for (const column of stored) {
        for (const t of column.tasks) expect(shown[column.run.runId]?.[t.taskId]).to.equal(t.state);
      }
      await page.screenshot({ path: path.join(SCREENSHOTS, 'grid.png'), fullPage: true });
      await page.context().close();
    });

    it('shows the error and the stack of a failed cell when it is clicked, and keeps the selection in the URL', async () => {
      const page = await newPage();
      await page.goto(`${ui.url}dags/pipeline/grid`);
      await page.click(`a.cell[data-run="manual__${FAILED}"][data-task="events.trusted"]`);
      const details = page.locator('aside.details');
      await details.locator('pre.stack').waitFor();
      expect(await details.textContent()).to.contain(`events file of ${FAILED} has no header row`);
      expect(await details.locator('pre.stack').textContent()).to.match(/\n\s+at /);
      await until('the URL to hold the selection', () => page.url().includes('task=events.trusted'), 10_000);
      expect(new URL(page.url()).searchParams.get('run')).to.equal(`manual__${FAILED}`);
      await page.context().close();
    });

    it('finds a log line far below the first page by searching the whole log on the server', async () => {
      const page = await newPage();
      await page.goto(`${ui.url}dags/pipeline/runs/manual__${OK}/tasks/users.land`);
      expect(await page.locator('#log-lines').textContent()).not.to.contain(NEEDLE);
      await page.fill('#q', NEEDLE);
      await page.click('form[aria-label="Log filters"] button[type=submit]');
      await page.locator('#log-lines mark').first().waitFor();
      const rows = await page
        .locator('#log-lines tr')
        .evaluateAll((els) => els.map((e) => e.textContent ?? ''));
      expect(rows).to.have.length(1);
      expect(rows[0]).to.contain(`found the ${NEEDLE} here`);
      expect(await page.locator('#log-lines tr td.n').textContent()).to.equal('2901');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'log.png'), fullPage: false });
      await page.context().close();
    });

    it('draws one node per task and one edge per dependency in the graph of a run', async () => {
      const page = await newPage();
      await page.goto(`${ui.url}dags/pipeline/runs/manual__${FAILED}/graph`);
      const nodes = await page
        .locator('svg.graph a.node.task')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-task'), e.getAttribute('data-state')]));
      expect(Object.fromEntries(nodes)).to.deep.equal(EXPECTED[`manual__${FAILED}`]);
      const edges = await page
        .locator('svg.graph path.edge.dep')
        .evaluateAll((els) =>
          els.map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}`).sort(),
        );
      expect(edges).to.deep.equal(
        pipeline.tasks.flatMap((t) => t.upstreamIds.map((u) => `${u}->${t.id}`)).sort(),
      );
      expect(await page.locator('svg.graph g.node.asset').count()).to.equal(pipeline.outlets.length);
      expect(await page.locator('svg.graph g.group').count()).to.equal(2);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'graph.png'), fullPage: true });
      await page.context().close();
    });

    it('shows every try of the flaky task with its host, pid and error', async () => {
      const page = await newPage();
      await page.goto(`${ui.url}dags/flaky/runs/manual__${OK}/tasks/step`);
      const rows = page.locator('table.tries tbody tr');
      expect(await rows.count()).to.equal(2);
      expect(await rows.nth(0).textContent())
        .to.contain('up_for_retry')
        .and.to.contain('transient failure');
      expect(await rows.nth(1).textContent()).to.contain('success');
      const tries = await withEngine(sandbox.home, (e) => e.tries('flaky', `manual__${OK}`, 'step'));
      expect(await rows.nth(0).textContent()).to.contain(String(tries[0]!.pid));
      await page.goto(`${ui.url}dags/flaky/runs/manual__${OK}`);
      expect(await page.locator('svg.gantt rect.try').count()).to.equal(3);
      expect(await page.locator('svg.gantt rect.wait').count()).to.equal(1);
      await page.context().close();
    });

    it('has no serious or critical accessibility violation on any page', async () => {
      const page = await newPage();
      const pages = [
        '',
        'dags/pipeline/grid',
        `dags/pipeline/grid?run=manual__${FAILED}&task=events.trusted`,
        `dags/pipeline/runs/manual__${FAILED}`,
        `dags/pipeline/runs/manual__${FAILED}/graph`,
        `dags/pipeline/runs/manual__${FAILED}/tasks/events.trusted`,
        'dags/pipeline/durations',
        'datasets',
      ];
      for (const p of pages) {
        await page.goto(`${ui.url}${p}`);
        await noSeriousViolations(page, `/${p}`);
      }
      await page.context().close();
    });

    it('leaves the store unchanged while browsing every page', async () => {
      const page = await newPage();
      const visit = [
        '',
        'datasets',
        'dags/pipeline/grid?state=failed',
        `dags/pipeline/grid?run=manual__${FAILED}&task=quality&collapsed=users`,
        `dags/pipeline/runs/manual__${OK}`,
        `dags/pipeline/runs/manual__${OK}/graph`,
        `dags/pipeline/runs/manual__${OK}/tasks/users.land?q=chunk&level=info`,
        'dags/pipeline/durations',
        `dags/flaky/runs/manual__${OK}/tasks/step?try=1`,
      ];
      for (const p of visit) {
        const response = await page.goto(`${ui.url}${p}`);
        expect(response?.status(), p).to.equal(200);
      }
      const raw = await page.request.get(`${ui.url}dags/flaky/runs/manual__${OK}/tasks/step/log.raw?try=1`);
      expect(await raw.text()).to.contain('transient failure');
      await page.context().close();
      await ui.stop();
      expect(dumpStore(sandbox)).to.deep.equal(storeBefore);
      ui = await startUi(sandbox);
    });
  });

  describe('actions', () => {
    let sandbox: Sandbox;
    let ui: UiProcess | undefined;
    afterEach(async () => {
      await ui?.stop();
      ui = undefined;
      await sandbox.cleanup();
    });

    it('triggers a run, clears a task with its downstream and unpauses, through the engine', async () => {
      sandbox = uiSandbox();
      await dagRun(sandbox, 1, 'pipeline', '--date', FAILED);
      ui = await startUi(sandbox);
      const page = await newPage();
      await page.goto(ui.url);
      await page.fill('#date-pipeline', '2025-01-05');
      await page.click('form[aria-label="Trigger pipeline"] button');
      await page.locator('.notice').waitFor();
      expect(await page.locator('.notice').textContent()).to.contain('Queued run manual__2025-01-05');
      const queued = await withEngine(sandbox.home, (e) => e.listRuns('pipeline'));
      expect(queued.map((r) => [r.runId, r.state])).to.deep.equal([
        ['manual__2025-01-05', 'queued'],
        [`manual__${FAILED}`, 'failed'],
      ]);

      const runId = `manual__${FAILED}`;
      const epochBefore = leaseEpoch(sandbox, 'pipeline', runId);
      const triesBefore = await withEngine(sandbox.home, (e) => e.tries('pipeline', runId));
      await page.goto(`${ui.url}dags/pipeline/runs/${runId}/tasks/events.trusted`);
      await page.check('form[aria-label="Clear events.trusted"] input[name=downstream]');
      await page.click('form[aria-label="Clear events.trusted"] button');
      await page
        .locator(`a.cell[data-run="${runId}"][data-task="events.trusted"][data-state="none"]`)
        .waitFor();
      const after = await withEngine(sandbox.home, async (e) => ({
        run: await e.store.getRun('pipeline', runId),
        tis: await e.store.listTaskInstances('pipeline', runId),
        tries: await e.tries('pipeline', runId),
      }));
      expect(after.run?.state).to.equal('queued');
      expect(Object.fromEntries(after.tis.map((t) => [t.taskId, t.state]))).to.deep.include({
        'events.trusted': 'none',
        quality: 'none',
        'users.trusted': 'success',
      });
      // The engine's clear holds the run's lease (one more acquisition, released); tries and logs stay.
      expect(leaseEpoch(sandbox, 'pipeline', runId)).to.equal(epochBefore + 1);
      expect(after.run?.lease).to.equal(null);
      expect(after.tries).to.deep.equal(triesBefore);

      await page.goto(ui.url);
      await page.click('form[aria-label="Unpause pipeline"] button');
      await page.locator('.notice').waitFor();
      const states = await withEngine(sandbox.home, (e) => e.store.listDagStates());
      expect(states.map((s) => [s.dagId, s.paused])).to.deep.equal([['pipeline', false]]);
      await page.context().close();
    });

    it('refuses an action without the CSRF token and changes nothing', async () => {
      sandbox = uiSandbox();
      await dagRun(sandbox, 0, 'flaky', '--date', OK);
      const before = dumpStore(sandbox);
      ui = await startUi(sandbox);
      const response = await fetch(`${ui.url}dags/flaky/pause`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '_csrf=forged',
      });
      expect(response.status).to.equal(403);
      expect(await response.text()).to.contain('CSRF token');
      await ui.stop();
      ui = undefined;
      expect(dumpStore(sandbox)).to.deep.equal(before);
    });

    it('follows the log of a running try as new lines arrive, and the grid refreshes while the run is active', async () => {
      sandbox = uiSandbox();
      const run = sandbox.start('run', 'follow', '--date', OK);
      const runDone = new Promise<number | null>((resolve) => run.on('close', resolve));
      try {
        await until(
          'the tail try to run',
          async () =>
            fs.existsSync(path.join(sandbox.home, 'state.db')) &&
            (await withEngine(sandbox.home, (e) => e.tries('follow', `manual__${OK}`, 'tail'))).some(
              (t) => t.state === 'running',
            ),
        );
        ui = await startUi(sandbox);
        const page = await newPage();
        await page.goto(`${ui.url}dags/follow/runs/manual__${OK}/tasks/tail`);
        await until(
          'the page to follow',
          async () => (await page.locator('#follow-status').textContent()) === 'following the running try',
          10_000,
        );
        await page.evaluate(() => {
          (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
        });
        fs.writeFileSync(sandbox.fx('say'), 'hello-from-the-running-try');
        await page
          .locator('#log-lines', { hasText: 'hello-from-the-running-try' })
          .waitFor({ timeout: 20_000 });
        expect(
          await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded),
        ).to.equal(true);
        const grid = await newPage();
        await grid.goto(`${ui.url}dags/follow/grid`);
        expect(await grid.locator('[data-live]').count()).to.equal(1);
        await grid.locator('a.cell[data-task="tail"][data-state="running"]').waitFor();
        await grid.evaluate(() => {
          (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
        });
        fs.writeFileSync(sandbox.fx('release'), '');
        await until(
          'the follow to end',
          async () => /ended: success/.test((await page.locator('#follow-status').textContent()) ?? ''),
          30_000,
        );
        expect(await runDone).to.equal(0);
        // The grid redrew itself once the run ended, and stopped being live.
        await grid.locator('a.cell[data-task="tail"][data-state="success"]').waitFor({ timeout: 20_000 });
        await until(
          'the grid to stop being live',
          async () => (await grid.locator('[data-live]').count()) === 0,
          10_000,
        );
        expect(
          await grid.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded),
        ).to.equal(true);
        await grid.context().close();
        await page.context().close();
      } finally {
        if (run.exitCode === null) run.kill('SIGKILL');
      }
    });
  });

  describe('access', () => {
    let sandbox: Sandbox;
    afterEach(async () => sandbox.cleanup());

    it('refuses to start on a non-loopback address without an access token', async () => {
      sandbox = uiSandbox();
      const r = await sandbox.dag('ui', '--host', '0.0.0.0', '--port', '0');
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('refusing to serve on 0.0.0.0 without an access token');
      expect(fs.existsSync(path.join(sandbox.home, 'state.db'))).to.equal(false);
    });

    it('with a token, serves only requests that carry it', async () => {
      sandbox = uiSandbox();
      const ui = await startUi(sandbox, '--host', '0.0.0.0', '--token', 'open-sesame-42');
      try {
        expect(ui.url).to.match(/\?token=open-sesame-42$/);
        const base = ui.url.replace(/\?.*$/, '').replace('0.0.0.0', '127.0.0.1');
        expect((await fetch(base)).status).to.equal(401);
        expect((await fetch(base, { headers: { authorization: 'Bearer wrong' } })).status).to.equal(401);
        expect((await fetch(base, { headers: { authorization: 'Bearer open-sesame-42' } })).status).to.equal(
          200,
        );
        const login = await fetch(`${base}?token=open-sesame-42`, { redirect: 'manual' });
        expect(login.status).to.equal(303);
        const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
        expect(cookie).to.match(/^streampro_ui_token=/);
        expect((await fetch(base, { headers: { cookie } })).status).to.equal(200);
      } finally {
        await ui.stop();
      }
    });
  });
});
