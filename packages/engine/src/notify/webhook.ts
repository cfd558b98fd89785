import type { Notification, Notifier } from '../model/notification.js';

export interface WebhookOptions {
  readonly url: string;
  /** Extra headers (an Authorization token, say); their values are not logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Abort the request after this long. @default 5000 */
  readonly timeoutMs?: number;
}

/** POSTs each notification as JSON to `url`; an answer outside 2xx is an error (logged, never an outcome). */
export function webhookNotifier(options: WebhookOptions): Notifier {
  return {
    async notify(notification: Notification): Promise<void> {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(notification),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      // Drain the body so the connection is released.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`webhook ${options.url} answered ${response.status}`);
    },
  };
}
