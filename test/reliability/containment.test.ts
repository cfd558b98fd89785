import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DagDefinitionError, defineDag } from '@streampro/engine';
import { InvalidKeyError, LocalStore, S3Store } from '@streampro/operators';
import { expect } from 'chai';
import { REPO, withEngine } from '../cli/helpers.js';
import { paths } from './fixtures/dags/paths.js';
import { FaultSandbox } from './support/harness.js';
import { RestartableS3, S3RVER_KEY } from './support/s3.js';

const HOSTILE_KEYS = [
  '../escape.txt',
  'landing/../../escape.txt',
  '/etc/escape.txt',
  'landing\\..\\..\\escape.txt',
  'landing/x\u0000.txt',
  '.streampro-tmp/x',
  'landing//x',
];

/** Every file under `dir`, relative, for "nothing was created" checks. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

async function rejects(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('reliability: nothing escapes the lake', function () {
  this.timeout(60_000);

  it('LocalStore rejects keys with .., absolute paths, backslashes and controls, and writes nothing', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'streampro-escape-'));
    try {
      const store = await LocalStore.open(path.join(parent, 'lake'));
      const before = tree(parent);
      for (const key of HOSTILE_KEYS) {
        for (const attempt of [
          () => store.putBytes(key, 'x'),
          () => store.getBytes(key),
          () => store.copy('ok.txt', key),
          () => store.delete(key),
        ]) {
          const error = await rejects(attempt());
          expect(error, key).to.be.instanceOf(InvalidKeyError);
          expect(error.message).to.contain(`invalid object key ${JSON.stringify(key)}`);
        }
      }
      expect(await rejects(store.list('../'))).to.be.instanceOf(InvalidKeyError);
      expect(tree(parent)).to.deep.equal(before);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('S3Store rejects the same keys before sending anything', async () => {
    const s3 = await RestartableS3.start();
    try {
      const store = await S3Store.open({
        bucket: await s3.createBucket(),
        endpoint: s3.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
        env: {},
      });
      for (const key of HOSTILE_KEYS.filter((k) => !k.startsWith('.streampro-tmp'))) {
        expect(await rejects(store.putBytes(key, 'x')), key).to.be.instanceOf(InvalidKeyError);
      }
      expect(await store.list('')).to.deep.equal([]);
      await store.close();
    } finally {
      await s3.close();
    }
  });

  it('DAG, task and group ids that could become paths are rejected when the DAG is defined', () => {
    for (const id of ['../evil', '..', '/abs', 'a/b', 'a\\b', 'tab\there', '']) {
      expect(() => defineDag({ id, startDate: '2025-01-01' }), id).to.throw(
        DagDefinitionError,
        /invalid DAG id/,
      );
      const dag = defineDag({ id: 'ok', startDate: '2025-01-01' });
      expect(() => dag.task({ id, run: () => 1 }), id).to.throw(DagDefinitionError, /invalid task id/);
    }
  });

  describe('the CLI', () => {
    let sb: FaultSandbox;
    beforeEach(() => {
      sb = new FaultSandbox();
    });
    afterEach(() => sb.cleanup());

    const BAD: readonly (readonly string[])[] = [
      ['run', '../../etc', '--date', '2025-01-10'],
      ['run', 'paths', '--date', '../../2025-01-10'],
      ['run', 'paths', '--date', '2025-01-10', '--task', '../../write'],
      ['run', 'paths', '--date', '2025-01-10', '--param', '../../dataset=x'],
      ['run', 'paths', '--date', '2025-01-10', '--param', 'data\u001bset=x'],
      ['backfill', 'paths', '--start', '2025-01-01', '--end', '/etc/passwd'],
      ['logs', 'paths', '--date', '2025-01-10', '--task', '../../../etc'],
      ['clear', 'paths', '--date', '2025-01-10', '--task', '/etc/passwd', '--yes'],
    ];
    for (const args of BAD) {
      it(`exits 2 with one line, creating nothing: dag ${args.join(' ')}`, async () => {
        const r = await sb.dag(...args);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.match(/^dag: [^\n]+\n$/);
        expect(r.stderr).to.not.match(/\n\s+at /);
        expect(fs.readdirSync(sb.root).sort()).to.deep.equal([
          'cwd',
          'fx',
          ...(fs.existsSync(sb.home) ? ['home'] : []),
        ]);
        expect(fs.existsSync(path.join(sb.home, 'lake'))).to.equal(false);
      });
    }

    it('a --param value that tries to climb out of the lake fails the task with InvalidKeyError; nothing is written', async () => {
      const r = await sb.dag('run', 'paths', '--date', '2025-01-10', '--param', 'dataset=../../../../escape');
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stderr).to.contain('invalid object key "landing/../../../../escape/marker.txt"');
      const [run] = await withEngine(sb.home, (e) => e.listRuns(paths.id));
      const [attempt] = await withEngine(sb.home, (e) => e.tries(paths.id, run!.runId, 'write'));
      expect(attempt).to.include({ state: 'failed', errorName: 'InvalidKeyError' });
      const written = (fs.readdirSync(sb.root, { recursive: true }) as string[]).filter((f) =>
        f.endsWith('marker.txt'),
      );
      expect(written).to.deep.equal([]);
    });
  });

  describe('secrets', () => {
    it('a task that prints the S3 secret key: masked in its log, the stored error and the terminal', async () => {
      const sb = new FaultSandbox();
      try {
        const secretKey = 'zq9-LEAKED-S3-SECRET-5d1a';
        sb.extraEnv = { AWS_ACCESS_KEY_ID: S3RVER_KEY, AWS_SECRET_ACCESS_KEY: secretKey };
        const r = await sb.dag('run', 'leaky', '--date', '2025-01-10');
        expect(r.code, r.stderr).to.equal(1);
        expect(r.stdout + r.stderr).to.not.contain(secretKey);
        const log = fs.readFileSync(sb.logFile('leaky', 'manual__2025-01-10'), 'utf8');
        expect(log).to.contain('connecting with key ***');
        expect(log).to.not.contain(secretKey);
        for (const f of fs.readdirSync(sb.home).filter((n) => n.startsWith('state.db'))) {
          expect(fs.readFileSync(path.join(sb.home, f)).includes(secretKey), f).to.equal(false);
        }
      } finally {
        sb.cleanup();
      }
    });

    it('the S3 secret key and the email salt never reach a log file or the state database', async function () {
      this.timeout(90_000);
      const s3 = await RestartableS3.start();
      const sb = new FaultSandbox();
      try {
        const secretKey = 'zq9-S3-SECRET-7f3e1c-do-not-log';
        const salt = 'zq9-EMAIL-SALT-b41d-do-not-log';
        sb.dagsFolder = path.join(REPO, 'dags');
        const bucket = await s3.createBucket();
        sb.extraEnv = {
          STREAMPRO_LAKE: `s3://${bucket}/lake/`,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_ACCESS_KEY_ID: S3RVER_KEY,
          AWS_SECRET_ACCESS_KEY: secretKey,
          AWS_REGION: 'us-east-1',
          STREAMPRO_EMAIL_SALT: salt,
          STREAMPRO_DATA_DIR: path.join(REPO, 'data'),
        };
        const ok = await sb.dag('run', 'streampro', '--date', '2025-09-09', '--no-downstream');
        expect(ok.code, ok.stderr).to.equal(0);
        // A failing run too: error messages and stacks are where secrets usually leak.
        sb.extraEnv = { ...sb.extraEnv, STREAMPRO_LAKE: 's3://no-such-bucket/lake/' };
        const failed = await sb.dag('run', 'streampro', '--date', '2025-09-10', '--no-downstream');
        expect(failed.code, failed.stderr).to.equal(1);

        const files = (fs.readdirSync(sb.home, { recursive: true }) as string[])
          .map((f) => path.join(sb.home, f))
          .filter((f) => fs.statSync(f).isFile());
        // One log segment per run, holding the lines of all its tries.
        const logs = files.filter((f) => f.endsWith('tries.log'));
        expect(logs.length, 'one log segment per run').to.equal(2);
        const starts = logs.flatMap(
          (f) => fs.readFileSync(f, 'utf8').match(/"message":"starting try/g) ?? [],
        );
        expect(starts.length, 'tries logged').to.be.greaterThan(15);
        expect(files.some((f) => f.endsWith('state.db'))).to.equal(true);
        for (const file of files) {
          const bytes = fs.readFileSync(file);
          expect(bytes.includes(secretKey), `secret key in ${file}`).to.equal(false);
          expect(bytes.includes(salt), `salt in ${file}`).to.equal(false);
        }
        for (const out of [ok, failed]) {
          expect(out.stdout + out.stderr).to.not.contain(secretKey);
          expect(out.stdout + out.stderr).to.not.contain(salt);
        }
      } finally {
        sb.cleanup();
        await s3.close();
      }
    });
  });
});
