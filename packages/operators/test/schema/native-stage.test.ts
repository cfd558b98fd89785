import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DuckDBSession } from '../../src/duckdb/session.js';
import { dedupSql } from '../../src/schema/finish-sql.js';
import { type NativeStageInput, nativeConflictsAgree, stageNative } from '../../src/schema/native-stage.js';
import { prescan } from '../../src/schema/prescan.js';
import { defineSchema } from '../../src/schema/types.js';

const schema = defineSchema({
  columns: { id: { type: 'string', required: true }, n: { type: 'integer' } },
  dedupKey: ['id'],
});

describe('stageNative', () => {
  let dir: string;
  let session: DuckDBSession;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'streampro-native-stage-'));
    session = await DuckDBSession.create({ tempDirectory: path.join(dir, 'spill'), threads: 2 });
  });
  afterEach(async () => {
    session.close();
    await rm(dir, { recursive: true, force: true });
  });

  const stage = async (
    lines: readonly string[],
  ): Promise<{ input: NativeStageInput; checkpoints: readonly number[] }> => {
    const localPath = path.join(dir, 'in.jsonl');
    await writeFile(localPath, `${lines.join('\n')}\n`);
    const input: NativeStageInput = {
      table: 'staged',
      localPath,
      format: 'jsonl',
      schema,
      firstRow: 0,
      delimiter: ',',
      maxLineBytes: 1 << 20,
      runDate: '2025-09-09',
      scan: prescan(localPath, { maxLineBytes: 1 << 20, csv: false }),
    };
    const result = await stageNative(session, input);
    if (!result.staged) throw new Error(`not staged: ${result.why}`);
    await session.run(dedupSql('staged', ['id'], 0, ['id', 'n']));
    return { input, checkpoints: result.checkpoints };
  };

  it('numbers rows by line and takes the careful result for a line the reader cannot tell apart', async () => {
    await stage(['{"id":"a","n":1}', '{"id":', '[1]', '{"id":"b","n":"2"}', '{"id":"c","n":3}']);
    const rows = await session.all('SELECT __line, __reason, __text, id FROM staged ORDER BY __line');
    expect(rows).to.deep.equal([
      { __line: 1, __reason: null, __text: null, id: 'a' },
      { __line: 2, __reason: 'malformed_json', __text: '{"id":', id: null },
      { __line: 3, __reason: 'malformed_json', __text: '[1]', id: null },
      { __line: 4, __reason: 'invalid_type:n', __text: '{"id":"b","n":"2"}', id: 'b' },
      { __line: 5, __reason: null, __text: null, id: 'c' },
    ]);
  });

  it('agrees on conflicting duplicates at their lines, and refuses a table whose rows are numbered wrong', async () => {
    const { input, checkpoints } = await stage(['{"id":"a","n":1}', '{"id":"x","n":5}', '{"id":"a","n":2}']);
    expect(
      await session.all("SELECT __line, __text FROM staged WHERE __reason LIKE 'conflicting%'"),
    ).to.deep.equal([{ __line: 3, __text: 'line 1' }]);
    expect(await nativeConflictsAgree(session, input, checkpoints)).to.equal(true);
    // As if the reader had stored line 3's row second: the conflict's rows are no longer those of their lines.
    await session.run(
      'UPDATE staged SET __line = 99 WHERE __line = 2; UPDATE staged SET __line = 2 WHERE __line = 3; UPDATE staged SET __line = 3 WHERE __line = 99',
    );
    await session.run("UPDATE staged SET __reason = NULL, __text = NULL WHERE __reason LIKE 'conflicting%'");
    await session.run(dedupSql('staged', ['id'], 0, ['id', 'n']));
    expect(await nativeConflictsAgree(session, input, checkpoints)).to.equal(false);
  });
});
