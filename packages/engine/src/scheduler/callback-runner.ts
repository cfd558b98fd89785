import type { Callback, Notification } from '../model/notification.js';

/** How long a callback may take before it is given up (logged; the run does not wait longer). */
export const CALLBACK_TIMEOUT_MS = 10_000;

/**
 * Calls the callbacks of one run, off the scheduling path: each is awaited with a timeout, and a failure or a
 * timeout is reported to `onError` (the try's log), never to the task's or run's outcome. `settled()` waits
 * for every call made so far, so a run ends only once its callbacks have had their chance.
 */
export class CallbackRunner {
  readonly #inFlight = new Set<Promise<void>>();

  constructor(private readonly timeoutMs = CALLBACK_TIMEOUT_MS) {}

  fire(callbacks: readonly Callback[], notification: Notification, onError: (message: string) => void): void {
    for (const callback of callbacks) {
      const name = typeof callback === 'function' ? 'callback' : 'notifier';
      let timer: NodeJS.Timeout | undefined;
      const call = Promise.race([
        Promise.resolve().then(() =>
          typeof callback === 'function' ? callback(notification) : callback.notify(notification),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ])
        .then(() => undefined)
        .catch((error: unknown) => {
          onError(
            `on${capitalised(notification.event)} ${name} failed: ${(error as Error)?.message ?? String(error)}`,
          );
        })
        .finally(() => {
          clearTimeout(timer);
          this.#inFlight.delete(call);
        });
      this.#inFlight.add(call);
    }
  }

  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }
}

/** `deadline_missed` → `DeadlineMissed`, as in the option's name. */
function capitalised(event: string): string {
  return event
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
