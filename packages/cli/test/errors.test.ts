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

  it('maps a state store that failed in the middle of work to exit 1, one that could not open to exit 2', () => {
    const store = (reason: string) => Object.assign(named('StateStoreError', `store: ${reason}`), { reason });
    for (const reason of ['connection_lost', 'timeout']) {
      expect(exitCodeFor(store(reason)), reason).to.equal(EXIT.failed);
    }
    for (const reason of [
      'bad_url',
      'unreachable',
      'auth',
      'no_database',
      'newer_schema',
      'corrupt',
      'locked',
    ]) {
      expect(exitCodeFor(store(reason)), reason).to.equal(EXIT.usage);
    }
    expect(describeError(store('connection_lost'))).to.equal('dag: store: connection_lost');
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
