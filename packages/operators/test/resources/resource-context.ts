import type { ResourceContext } from '@streampro/engine';
import { fakeContext } from '../storage/fake-context.js';

/** The context a try gives a resource's `open`, with the environment the test chooses. */
export function resourceContext(env: Readonly<Record<string, string | undefined>>) {
  const { ctx, lines, controller } = fakeContext();
  const masked: string[] = [];
  const resourceCtx: ResourceContext = {
    ...ctx.log.scope,
    logicalDate: ctx.logicalDate,
    ds: ctx.ds,
    env,
    log: ctx.log,
    signal: ctx.signal,
    maskSecret: (value) => masked.push(value),
  };
  return { ctx: resourceCtx, lines, controller, masked };
}
