import pc from 'picocolors';

/** Colour functions, or identity when colour is off (not a TTY, NO_COLOR), so callers never branch. */
export interface Palette {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly blue: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const plain = (s: string): string => s;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { red: plain, green: plain, yellow: plain, blue: plain, dim: plain, bold: plain };
  // picocolors' default export decides from the process's own stdout; the caller already decided here.
  const c = pc.createColors(true);
  return { red: c.red, green: c.green, yellow: c.yellow, blue: c.blue, dim: c.dim, bold: c.bold };
}

/** Colour of a task or run state. */
export function stateColor(p: Palette, state: string): (s: string) => string {
  switch (state) {
    case 'success':
      return p.green;
    case 'failed':
    case 'upstream_failed':
    case 'interrupted':
      return p.red;
    case 'running':
    case 'queued':
    case 'scheduled':
      return p.blue;
    case 'up_for_retry':
      return p.yellow;
    default:
      return p.dim;
  }
}
