/** Where the worker's console and stdout/stderr writes go: the running try's log, or the last one's. */
export interface OutputTarget {
  line(stream: 'stdout' | 'stderr', text: string): void;
}

type Write = typeof process.stdout.write;

/**
 * Replaces `process.stdout.write` and `process.stderr.write` (which `console.*` uses) so that everything the
 * task code prints becomes masked lines of the try's log instead of raw, unmasked terminal output. Partial
 * lines are kept until their newline. Returns a function that flushes what is pending.
 */
export function captureOutput(target: () => OutputTarget | undefined): () => void {
  const pending = { stdout: '', stderr: '' };
  const hook = (stream: 'stdout' | 'stderr'): Write =>
    ((chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      const text =
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk as Uint8Array).toString(
              typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8',
            );
      const lines = (pending[stream] + text).split('\n');
      pending[stream] = lines.pop() ?? '';
      const t = target();
      for (const l of lines) t?.line(stream, l);
      const cb = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)());
      return true;
    }) as Write;
  process.stdout.write = hook('stdout');
  process.stderr.write = hook('stderr');
  return () => {
    const t = target();
    for (const stream of ['stdout', 'stderr'] as const) {
      if (pending[stream] !== '') t?.line(stream, pending[stream]);
      pending[stream] = '';
    }
  };
}
