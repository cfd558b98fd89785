import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { resolveLocations } from '../../src/config/home.js';
import { availableProfiles, loadProfile, profileEnv } from '../../src/config/profile.js';
import { stateLocation } from '../../src/config/state.js';
import { UsageError } from '../../src/errors.js';

describe('profiles', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-profile-'));
    fs.mkdirSync(path.join(cwd, 'config'));
    fs.writeFileSync(
      path.join(cwd, 'config', 'minio.json'),
      JSON.stringify({
        lake: 's3://streampro-lake/',
        s3: {
          endpoint: 'http://localhost:9000',
          region: 'us-east-1',
          forcePathStyle: true,
          accessKeyIdEnv: 'TEST_KEY_ID',
          secretAccessKeyEnv: 'TEST_SECRET',
        },
        env: { STREAMPRO_SAMPLE: '1' },
      }),
    );
    fs.writeFileSync(path.join(cwd, 'config', 'local.json'), '{}');
    fs.writeFileSync(path.join(cwd, 'config', 'bad.json'), '{"lake": 3}');
    fs.writeFileSync(
      path.join(cwd, 'config', 'team.json'),
      JSON.stringify({ database: 'postgres://streampro@db.internal:5432/orchestration?schema=prod' }),
    );
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('lists the available profiles', () => {
    expect(availableProfiles(cwd)).to.deep.equal(['bad', 'local', 'minio', 'team']);
  });

  it('rejects an unknown profile, listing the available ones', () => {
    expect(() => loadProfile('prod', cwd)).to.throw(
      UsageError,
      "unknown profile 'prod' (no config/prod.json); available profiles: bad, local, minio, team",
    );
  });

  it('rejects a profile with a field of the wrong type', () => {
    expect(() => loadProfile('bad', cwd)).to.throw(UsageError, '"lake" must be a string');
  });

  it('maps a profile to the variables DAG code reads, taking secrets from the named variables', () => {
    const env = profileEnv('/h', loadProfile('minio', cwd), { TEST_KEY_ID: 'id', TEST_SECRET: 'secret' });
    expect(env).to.deep.equal({
      STREAMPRO_HOME: '/h',
      STREAMPRO_LAKE: 's3://streampro-lake/',
      STREAMPRO_SAMPLE: '1',
      AWS_ENDPOINT_URL_S3: 'http://localhost:9000',
      AWS_REGION: 'us-east-1',
      STREAMPRO_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
  });

  it('fails when a named secret variable is not set', () => {
    expect(() => profileEnv('/h', loadProfile('minio', cwd), { TEST_KEY_ID: 'id' })).to.throw(
      UsageError,
      "profile 'minio' reads AWS_SECRET_ACCESS_KEY from $TEST_SECRET, which is not set",
    );
  });

  it('reads a database URL, refusing one with a password or of another scheme', () => {
    expect(loadProfile('team', cwd).database).to.equal(
      'postgres://streampro@db.internal:5432/orchestration?schema=prod',
    );
    const write = (database: unknown) =>
      fs.writeFileSync(path.join(cwd, 'config', 'db.json'), JSON.stringify({ database }));
    write('postgres://streampro:hunter2@db.internal/orchestration');
    expect(() => loadProfile('db', cwd)).to.throw(
      UsageError,
      '"database" must not contain a password; export PGPASSWORD or use ~/.pgpass instead',
    );
    write('mysql://db.internal/orchestration');
    expect(() => loadProfile('db', cwd)).to.throw(
      UsageError,
      '"database" must be a postgres://user@host:5432/database URL',
    );
  });

  it('defaults the lake to <home>/lake without a profile', () => {
    expect(profileEnv('/h', undefined, {})).to.deep.equal({
      STREAMPRO_HOME: '/h',
      STREAMPRO_LAKE: '/h/lake',
    });
  });
});

describe('stateLocation', () => {
  it('is the SQLite file of the home unless STREAMPRO_DATABASE_URL or the profile names a server', () => {
    expect(stateLocation('/h', undefined, {})).to.deep.equal({
      location: '/h/state.db',
      server: false,
      secret: undefined,
    });
    expect(stateLocation('/h', undefined, { STREAMPRO_DATABASE_URL: ' ' }).location).to.equal('/h/state.db');
    const url = 'postgres://sp:p%40ss@db:5432/x';
    expect(stateLocation('/h', undefined, { STREAMPRO_DATABASE_URL: url })).to.deep.equal({
      location: url,
      server: true,
      secret: 'p@ss',
    });
    const profile = { name: 'team', database: 'postgres://sp@db/y' };
    expect(stateLocation('/h', profile, { STREAMPRO_DATABASE_URL: url }).location).to.equal(
      'postgres://sp@db/y',
    );
  });
});

describe('resolveLocations', () => {
  it('defaults to ./.streampro and ./dags under the current directory', () => {
    expect(resolveLocations({}, '/w')).to.deep.equal({ home: '/w/.streampro', dagsFolder: '/w/dags' });
  });
  it('prefers --dags-folder over STREAMPRO_DAGS_FOLDER', () => {
    const env = { STREAMPRO_HOME: 'state', STREAMPRO_DAGS_FOLDER: 'from-env' };
    expect(resolveLocations(env, '/w')).to.deep.equal({ home: '/w/state', dagsFolder: '/w/from-env' });
    expect(resolveLocations(env, '/w', '/abs/flag').dagsFolder).to.equal('/abs/flag');
  });
});
