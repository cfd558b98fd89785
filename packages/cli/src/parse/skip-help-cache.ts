import type { Argv } from 'yargs';

/** The part of yargs' internals this module touches (not in its public types). */
interface UsageInternals {
  getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
}

/**
 * Before running a command's handler, yargs renders that command's whole help text and keeps it, so that a
 * later `showHelp()` from inside the handler prints it: ~18 ms of every `dag` start (string widths of every
 * option). The CLI never shows help from a handler (a failing handler's error is rethrown by `fail`), so the
 * render is skipped. Left as is when a yargs release no longer has the method.
 */
export function skipHelpCache<T>(cli: Argv<T>): Argv<T> {
  const usage = (cli as unknown as UsageInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  return cli;
}
