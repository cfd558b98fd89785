import type { Clock } from './clock.js';

export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
