import type { Dag } from '../model/dag.js';
import { type ParamValue, resolveParams } from '../model/params.js';

/**
 * The params a run executes with: the DAG's defaults, then the values recorded with the run (so `dag clear`
 * and a plain `dag run` re-run tasks with the params the run started with), then the values given now.
 * Given values override one by one; an empty object gives none. Recorded names the DAG no longer declares
 * are dropped; secret params are never recorded, so they come from the defaults or the caller again.
 */
export function effectiveParams(
  dag: Dag,
  recorded: Readonly<Record<string, ParamValue>>,
  given: Readonly<Record<string, ParamValue>> | undefined,
): Record<string, ParamValue> {
  return resolveParams(dag.id, dag.params, { ...recordableParams(dag, recorded), ...given });
}

/** Values of the params declared `secret`: they reach a try beside its descriptor, never inside it. */
export function secretParams(
  dag: Dag,
  params: Readonly<Record<string, ParamValue>>,
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(params)) if (dag.params[name]?.secret) out[name] = value;
  return out;
}

/** Params as stored with a run: declared ones only, without the values of params declared `secret`. */
export function recordableParams(
  dag: Dag,
  params: Readonly<Record<string, ParamValue>>,
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, value] of Object.entries(params)) {
    const spec = dag.params[name];
    if (spec && !spec.secret) out[name] = value;
  }
  return out;
}
