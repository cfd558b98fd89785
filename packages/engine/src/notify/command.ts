import { spawn } from 'node:child_process';
import type { Notification, Notifier } from '../model/notification.js';

export interface CommandOptions {
  readonly command: string;
  readonly args?: readonly string[];
  /** Kill the command after this long. @default 10000 */
  readonly timeoutMs?: number;
}

/**
 * Runs a command for each notification, with the notification as JSON on its stdin (and its event in
 * `STREAMPRO_EVENT`); a non-zero exit is an error (logged, never an outcome).
 */
export function commandNotifier(options: CommandOptions): Notifier {
  return {
    notify(notification: Notification): Promise<void> {
      return new Promise((resolve, reject) => {
        const child = spawn(options.command, [...(options.args ?? [])], {
          stdio: ['pipe', 'ignore', 'pipe'],
          env: { ...process.env, STREAMPRO_EVENT: notification.event },
          timeout: options.timeoutMs ?? 10_000,
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('error', reject);
        child.on('close', (code, signal) => {
          if (code === 0) resolve();
          else
            reject(
              new Error(
                `notifier ${options.command} ${signal ? `was killed (${signal})` : `exited ${code}`}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
              ),
            );
        });
        child.stdin.on('error', () => {});
        child.stdin.end(`${JSON.stringify(notification)}\n`);
      });
    },
  };
}
