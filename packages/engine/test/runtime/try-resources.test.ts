import { defineResource, type LogFields, type ResourceContext, type TaskLogger } from '@streampro/engine';
import { TryResources } from '@streampro/engine/internal';
import { expect } from 'chai';
import { rejection } from '../support/fixtures.js';

interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

function recordingLogger(lines: Line[]): TaskLogger {
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  return {
    scope: { dagId: 'd', runId: 'r', taskId: 't', tryNumber: 1 },
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
  };
}

function contextFor(log: TaskLogger): ResourceContext {
  return {
    ...log.scope,
    logicalDate: '2025-01-02T00:00:00.000Z',
    ds: '2025-01-02',
    env: { GREETING: 'hello' },
    log,
    signal: new AbortController().signal,
    maskSecret: () => {},
  };
}

describe('TryResources', () => {
  let lines: Line[];
  let events: string[];
  let log: TaskLogger;
  beforeEach(() => {
    lines = [];
    events = [];
    log = recordingLogger(lines);
  });

  const tracked = (name: string) =>
    defineResource({
      open: async (ctx) => {
        events.push(`open ${name}`);
        return `${name}:${ctx.env.GREETING}`;
      },
      close: (value) => {
        events.push(`close ${value}`);
      },
    });

  it('opens a resource on first read only, once, with the try context', async () => {
    const resources = new TryResources({ a: tracked('a'), b: tracked('b') }, contextFor(log));
    expect(Object.keys(resources.handles)).to.deep.equal(['a', 'b']);
    expect(events).to.deep.equal([]);
    const first = resources.handles.a;
    expect(resources.handles.a).to.equal(first);
    expect(await first).to.equal('a:hello');
    expect(events).to.deep.equal(['open a']);
    await resources.close(log);
    expect(events).to.deep.equal(['open a', 'close a:hello']);
  });

  it('closes in reverse order of first read, and waits for a resource still opening', async () => {
    let finish: (value: string) => void = () => {};
    const slow = defineResource({
      open: () =>
        new Promise<string>((resolve) => {
          finish = resolve;
        }),
      close: (value) => {
        events.push(`close ${value}`);
      },
    });
    const resources = new TryResources({ a: tracked('a'), slow, b: tracked('b') }, contextFor(log));
    await resources.handles.b;
    void resources.handles.slow; // read but never awaited by the body
    await resources.handles.a;
    const closing = resources.close(log);
    await new Promise((r) => setImmediate(r));
    expect(events).to.deep.equal(['open b', 'open a', 'close a:hello']);
    finish('slow');
    await closing;
    expect(events).to.deep.equal(['open b', 'open a', 'close a:hello', 'close slow', 'close b:hello']);
  });

  it('rejects the read of a resource that fails to open with its own error, logs which, and skips its close', async () => {
    class Unreachable extends Error {
      override readonly name = 'Unreachable';
    }
    const broken = defineResource<string>({
      open: () => {
        throw new Unreachable('connection refused');
      },
      close: () => {
        events.push('close broken');
      },
    });
    const resources = new TryResources({ broken }, contextFor(log));
    const error = await rejection(resources.handles.broken as Promise<unknown>);
    expect(error).to.be.instanceOf(Unreachable);
    expect(error.message).to.equal('connection refused');
    await resources.close(log);
    expect(events).to.deep.equal([]);
    expect(lines).to.deep.equal([
      { level: 'error', message: "resource 'broken' could not be opened", fields: { resource: 'broken' } },
    ]);
  });

  it('logs a failed close as a warning and still closes the rest', async () => {
    const failing = defineResource({
      open: () => 'f',
      close: async () => {
        throw new Error('already closed');
      },
    });
    const resources = new TryResources({ a: tracked('a'), failing }, contextFor(log));
    await resources.handles.a;
    await resources.handles.failing;
    await resources.close(log);
    expect(events).to.deep.equal(['open a', 'close a:hello']);
    expect(lines).to.deep.equal([
      {
        level: 'warn',
        message: "resource 'failing' failed to close: already closed",
        fields: { resource: 'failing' },
      },
    ]);
  });

  it('closes each opened resource once, however often close is called', async () => {
    const resources = new TryResources({ a: tracked('a') }, contextFor(log));
    await resources.handles.a;
    await resources.close(log);
    await resources.close(log);
    expect(events).to.deep.equal(['open a', 'close a:hello']);
  });
});
