import { expect } from 'chai';
import { describeError, EXIT, exitCodeFor, UsageError } from '../src/errors.js';

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe('error mapping', () => {
  it('maps bad-input errors of the CLI and the engine to exit 2, by name', () => {
    for (const name of [
      'InvalidInputError',
      'NotFoundError',
      'DagDefinitionError',
      'StateStoreError',
      'YError',
    ]) {
      expect(exitCodeFor(named(name, 'x')), name).to.equal(EXIT.usage);
    }
    expect(exitCodeFor(new UsageError('x'))).to.equal(EXIT.usage);
  });

  it('maps a lease conflict to exit 1 with its message and no stack', () => {
    const e = named('LeaseConflictError', 'run d/r is being executed by host:1:abc; wait');
    expect(exitCodeFor(e)).to.equal(EXIT.failed);
    expect(describeError(e)).to.equal('dag: run d/r is being executed by host:1:abc; wait');
  });

  it('keeps the stack of unexpected errors so they can be reported', () => {
    expect(describeError(new TypeError('oops'))).to.match(/^dag: unexpected error: TypeError: oops\n\s+at /);
  });
});
