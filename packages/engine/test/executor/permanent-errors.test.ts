import fs from 'node:fs';
import {
  describeOsError,
  isPermanentOsError,
  NonRetryableError,
  permanentOsErrorIn,
} from '@streampro/engine';
import { outcomeOfError } from '@streampro/engine/internal';
import { expect } from 'chai';

/** An error shaped like the ones Node's fs raises. */
function osError(code: string, message: string, extra: Record<string, unknown> = {}): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, errno: -1, syscall: 'open', ...extra });
}

/** The error a real fs call fails with. */
function fsFailure(op: () => unknown): NodeJS.ErrnoException {
  try {
    op();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('expected the fs call to fail');
}

describe('isPermanentOsError', () => {
  for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']) {
    it(`is true for ${code}`, () => {
      expect(isPermanentOsError(osError(code, `${code}: failed, open '/x'`))).to.equal(true);
    });
  }

  const notPermanent: readonly [string, unknown][] = [
    ['ENOENT (the file may still appear)', osError('ENOENT', "ENOENT: no such file, open '/x'")],
    ['ECONNRESET', osError('ECONNRESET', 'read ECONNRESET')],
    ['EIO', osError('EIO', 'EIO: i/o error, read')],
    ['an error without a code', new Error('ENOSPC mentioned only in the text')],
    ['a numeric code', Object.assign(new Error('x'), { code: 28 })],
    ['a plain string', 'ENOSPC'],
    ['null', null],
  ];
  for (const [what, error] of notPermanent) {
    it(`is false for ${what}`, () => {
      expect(isPermanentOsError(error)).to.equal(false);
    });
  }

  it('is true for the ENOSPC of a real write to /dev/full', function () {
    if (!fs.existsSync('/dev/full')) this.skip();
    const error = fsFailure(() => fs.writeFileSync('/dev/full', 'x'));
    expect(error.code).to.equal('ENOSPC');
    expect(isPermanentOsError(error)).to.equal(true);
  });

  it('is true for the EPERM/EACCES of a real mkdir in /sys', function () {
    if (process.platform !== 'linux') this.skip();
    const error = fsFailure(() => fs.mkdirSync('/sys/streampro-permanent-errors-test'));
    expect(['EPERM', 'EACCES', 'EROFS']).to.include(error.code);
    expect(isPermanentOsError(error)).to.equal(true);
  });
});

describe('permanentOsErrorIn', () => {
  it('finds the OS error in the causes of a wrapper, nearest first', () => {
    const os = osError('EROFS', "EROFS: read-only file system, open '/lake/x'");
    const wrapped = new Error('writing the partition failed', { cause: new Error('flush', { cause: os }) });
    expect(permanentOsErrorIn(wrapped)).to.equal(os);
    expect(permanentOsErrorIn(new Error('plain', { cause: new Error('also plain') }))).to.equal(undefined);
  });
});

describe('describeOsError', () => {
  it("keeps Node's message when it has the code and the path", () => {
    const error = osError('EACCES', "EACCES: permission denied, open '/lake/x'", { path: '/lake/x' });
    expect(describeOsError(error as Parameters<typeof describeOsError>[0])).to.equal(
      "EACCES: permission denied, open '/lake/x'",
    );
  });

  it('adds the code and the paths the message lacks', () => {
    const error = osError('ENOSPC', 'no space left on device', { path: '/lake/a', dest: '/lake/b' });
    expect(describeOsError(error as Parameters<typeof describeOsError>[0])).to.equal(
      "ENOSPC: no space left on device (path '/lake/a') (destination '/lake/b')",
    );
  });
});

describe('outcomeOfError with permanent OS errors', () => {
  it('fails at once as NonRetryableError with the code, message and path, keeping the cause', () => {
    const os = osError('EROFS', 'EROFS: read-only file system, open', { path: '/mnt/lake/x.parquet' });
    const outcome = outcomeOfError(os);
    expect(outcome.kind).to.equal('failed');
    if (outcome.kind !== 'failed') return;
    expect(outcome.retryable).to.equal(false);
    expect(outcome.error).to.be.instanceOf(NonRetryableError);
    expect(outcome.error.message).to.equal(
      "EROFS: read-only file system, open (path '/mnt/lake/x.parquet') (a permanent OS error: not retried)",
    );
    expect(outcome.error.cause).to.equal(os);
  });

  it("puts a wrapper's message before the OS error it was caused by", () => {
    const os = osError('ENOSPC', 'ENOSPC: no space left on device, write');
    const outcome = outcomeOfError(new Error('cannot save report', { cause: os }));
    expect(outcome).to.deep.include({ kind: 'failed', retryable: false });
    if (outcome.kind !== 'failed') return;
    expect(outcome.error.message).to.equal(
      'cannot save report: ENOSPC: no space left on device, write (a permanent OS error: not retried)',
    );
  });

  it('still retries other OS errors', () => {
    const outcome = outcomeOfError(osError('ENOENT', "ENOENT: no such file or directory, open '/x'"));
    expect(outcome).to.deep.include({ kind: 'failed', retryable: true });
  });
});
