import { EXIT } from '../errors.js';
import type { Io } from '../io.js';
import type { PauseArgs } from '../options.js';
import { println } from '../output.js';
import { withSession } from '../session.js';

/** `dag pause` / `dag unpause`: stored, so every scheduler on this state sees it at its next pass. */
export function executeWith(paused: boolean) {
  return async (args: PauseArgs, io: Io): Promise<number> =>
    withSession(args, io, async (s) => {
      const dag = s.dag(args.dag);
      const engine = await s.engine();
      await engine.store.setDagPaused(dag.id, paused, new Date().toISOString());
      println(
        io,
        paused
          ? `${dag.id} paused: the scheduler creates no new runs for it; runs executing finish`
          : `${dag.id} unpaused`,
      );
      return EXIT.ok;
    });
}
