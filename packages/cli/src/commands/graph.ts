import type { Dag } from '@streampro/engine';
import { EXIT } from '../errors.js';
import type { Io } from '../io.js';
import type { GraphArgs } from '../options.js';
import { println } from '../output.js';
import { renderDot } from '../render/dot.js';
import type { GraphView } from '../render/graph-model.js';
import { renderGraphText } from '../render/graph-text.js';
import { renderMermaid } from '../render/mermaid.js';
import { withSession } from '../session.js';

export function graphView(dag: Dag): GraphView {
  return {
    dagId: dag.id,
    tasks: dag.tasks.map((t) => ({ id: t.id, group: t.group, upstreamIds: t.upstreamIds })),
    layers: layersOf(dag),
  };
}

/** Layers in declaration order inside each layer, as `topologicalOrder` sorts them. */
function layersOf(dag: Dag): string[][] {
  const order = new Map(dag.topologicalOrder().map((id, i) => [id, i]));
  return dag.graph
    .generations()
    .map((layer) => layer.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));
}

export async function execute(args: GraphArgs, io: Io): Promise<number> {
  return withSession(args, io, async (s) => {
    const view = graphView(s.dag(args.dag));
    const render = { text: renderGraphText, mermaid: renderMermaid, dot: renderDot }[args.format];
    println(io, render(view));
    return EXIT.ok;
  });
}
