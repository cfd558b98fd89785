import { expect } from 'chai';
import { renderDot } from '../../src/render/dot.js';
import type { GraphView } from '../../src/render/graph-model.js';
import { renderGraphText } from '../../src/render/graph-text.js';
import { renderMermaid } from '../../src/render/mermaid.js';

const view: GraphView = {
  dagId: 'etl',
  tasks: [
    { id: 'extract', group: undefined, upstreamIds: [] },
    { id: 'clean.dedupe', group: 'clean', upstreamIds: ['extract'] },
    { id: 'clean.validate', group: 'clean', upstreamIds: ['extract'] },
    { id: 'load', group: undefined, upstreamIds: ['clean.dedupe', 'clean.validate'] },
  ],
  layers: [['extract'], ['clean.dedupe', 'clean.validate'], ['load']],
};

describe('graph renderers', () => {
  it('text: one block per layer, group header once, upstream tasks after <-', () => {
    expect(renderGraphText(view)).to.equal(
      [
        'DAG etl: 4 tasks in 3 layers',
        '',
        'layer 1',
        '  extract',
        '',
        'layer 2',
        '  [group clean]',
        '    clean.dedupe  <- extract',
        '    clean.validate  <- extract',
        '',
        'layer 3',
        '  load  <- clean.dedupe, clean.validate',
      ].join('\n'),
    );
  });

  it('mermaid: flowchart TD with safe node ids, a subgraph per group and every edge', () => {
    const text = renderMermaid(view);
    expect(text.split('\n')[0]).to.equal('flowchart TD');
    expect(text).to.contain('subgraph g0["clean"]');
    expect(text).to.contain('t1["clean.dedupe"]');
    for (const edge of ['t0 --> t1', 't0 --> t2', 't1 --> t3', 't2 --> t3']) expect(text).to.contain(edge);
  });

  it('dot: a digraph with a cluster per group and quoted ids', () => {
    const text = renderDot(view);
    expect(text).to.match(/^digraph "etl" \{/);
    expect(text).to.contain('subgraph cluster_0 {');
    expect(text).to.contain('label="clean";');
    expect(text).to.contain('"clean.dedupe" -> "load";');
    expect(text.trimEnd().endsWith('}')).to.equal(true);
  });
});
