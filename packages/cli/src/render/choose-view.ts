import type { Io } from '../io.js';
import type { Palette } from './colors.js';
import { type LiveView, lineView, ttyView } from './live-view.js';

const silent: LiveView = { onEvent() {}, stop() {} };

/** The live view of a command: redrawn in place on a terminal, a line per change otherwise, none with --quiet. */
export function liveViewFor(io: Io, p: Palette, quiet: boolean | undefined): LiveView {
  if (quiet) return silent;
  return io.stderr.isTTY ? ttyView(io.stderr, p) : lineView(io.stderr, p);
}
