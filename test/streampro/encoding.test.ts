import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { checkUtf8, scanEncoding } from '../../dags/lib/streampro/encoding-check.js';
import { DATE, landingFile, PipelineSandbox, task } from './support/sandbox.js';

describe('landing files must be UTF-8', function () {
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-encoding-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, bytes: Buffer): string => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return name;
  };

  it('counts invalid and UTF-8 lines across block boundaries', async () => {
    // 3 MiB of ASCII lines, with é (C3 A9) split across the first 1 MiB boundary and one Latin-1 line.
    const ascii = Buffer.from(`${'x'.repeat(99)}\n`.repeat(30_000));
    const head = ascii.subarray(0, (1 << 20) - 1);
    const bytes = Buffer.concat([
      head,
      Buffer.from('é\n'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      ascii,
    ]);
    const scan = await scanEncoding(path.join(dir, write('mixed.csv', bytes)));
    expect(scan.utf8Lines).to.equal(1);
    expect(scan.invalidLines).to.equal(1);
    const headLines = head.toString('latin1').split('\n').length - 1;
    // The é line is the head's unfinished last line; the Latin-1 line is the one after it.
    expect(scan.firstInvalidLine).to.equal(headLines + 2);
  });

  it('refuses an ISO-8859-1 file naming the encoding, and lets a UTF-8 file with a broken line through', async () => {
    const latin1 = write(
      'users_latin1.csv',
      Buffer.from('user_id,name\nu1,Zoé\nu2,Ana\nu3,Çelik\n', 'latin1'),
    );
    let message = '';
    await checkUtf8(dir, latin1).catch((e: Error) => {
      message = e.message;
    });
    expect(message).to.match(
      /^landing file users_latin1\.csv is not UTF-8: 2 line\(s\) .*\(first: line 2\).*ISO-8859-1/,
    );
    const broken = Buffer.concat([
      Buffer.from('user_id,name\nu1,Zoé\n'),
      Buffer.from([0x75, 0x32, 0x2c, 0xff, 0x0a]),
    ]);
    await checkUtf8(dir, write('users_utf8.csv', broken));
    await checkUtf8(dir, write('ascii.csv', Buffer.from('a,b\n1,2\n')));
  });

  it('end to end: an ISO-8859-1 users file fails users.land at once; the other datasets land', async () => {
    const sb = new PipelineSandbox();
    try {
      const dataDir = sb.copySampleDay(DATE);
      const users = path.join(dataDir, landingFile('users', DATE));
      fs.writeFileSync(
        users,
        Buffer.from(
          `${fs.readFileSync(users, 'utf8')}u_latin,2025-09-09T10:00:00Z,FR,free,zoé@example.com\n`,
          'latin1',
        ),
      );
      const raw = fs.readFileSync(users);
      const result = await sb.dag(['run', 'streampro', '--date', DATE], { STREAMPRO_DATA_DIR: dataDir });
      expect(result.code, result.stderr).to.equal(1);
      const run = await sb.status('streampro', DATE);
      const land = task(run, 'users.land');
      expect([land.state, land.tryNumber]).to.deep.equal(['failed', 1]);
      expect(land.error).to.contain(`landing file ${landingFile('users', DATE)} is not UTF-8`);
      expect(task(run, 'events.land').state).to.equal('success');
      expect(fs.readFileSync(users).equals(raw), 'the delivery is left as it was').to.equal(true);
    } finally {
      sb.cleanup();
    }
  });
});
