import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { mulberry32 } from '../../../../scripts/generate/prng.js';
import { lineTexts } from '../../src/schema/line-texts.js';
import { CHECKPOINT_LINES, firstNewline, prescan } from '../../src/schema/prescan.js';

describe('prescan and lineTexts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'streampro-prescan-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (body: string | Buffer): Promise<string> => {
    const p = path.join(dir, `f${Math.random().toString(36).slice(2)}`);
    await writeFile(p, body);
    return p;
  };
  const scan = async (body: string | Buffer, csv = false, maxLineBytes = 1024) =>
    prescan(await file(body), { maxLineBytes, csv });

  it('counts physical lines: a last line without a break counts, the empty rest after a final LF does not', async () => {
    expect((await scan('')).lines).to.equal(0);
    expect((await scan('a')).lines).to.equal(1);
    expect((await scan('a\n')).lines).to.equal(1);
    expect((await scan('a\r\nb')).lines).to.equal(2);
    expect(await scan('a\nb\n')).to.include({ lines: 2, careful: null, newline: 'lf' });
    expect(await scan('a\r\nb\r\n')).to.include({ lines: 2, careful: null, newline: 'crlf' });
  });

  it('names what needs the careful path', async () => {
    expect((await scan('\uFEFFa\n')).careful).to.equal('byte_order_mark');
    expect((await scan('a\n\nb\n')).careful).to.equal('blank_line');
    expect((await scan('a\n \t\r\nb\n')).careful).to.equal('blank_line');
    expect((await scan('a\u0000b\n')).careful).to.equal('nul_byte');
    expect((await scan(Buffer.from([0x61, 0xc3, 0x28, 0x0a]))).careful).to.equal('invalid_utf8');
    expect((await scan(Buffer.from([0x61, 0xe2, 0x82]))).careful).to.equal('invalid_utf8');
    expect((await scan('a\rb\n')).careful).to.equal('lone_cr');
    expect((await scan('a\r')).careful).to.equal('lone_cr');
    expect((await scan(`${'x'.repeat(1025)}\n`)).careful).to.equal('line_too_long');
    expect((await scan(`${'x'.repeat(1024)}\r\n`)).careful).to.equal(null);
    expect((await scan('a,"b"\n', true)).careful).to.equal('quote');
    expect((await scan('a,"b"\n', false)).careful).to.equal(null);
    expect((await scan('a\r\nb\n', true)).careful).to.equal('mixed_line_endings');
    expect((await scan('a\r\nb\n', false)).careful).to.equal(null);
  });

  it('reads multi-byte characters and lines across its 4 MiB chunks', async () => {
    const line = `${'é'.repeat(300)}😀`;
    const body = `${Array.from({ length: 20_000 }, () => line).join('\n')}\n`;
    expect(await scan(body, false, 1 << 20)).to.include({ lines: 20_000, careful: null });
  });

  it('lineTexts gives the chosen lines as the careful reader stores them (no CR, no LF)', async () => {
    const random = mulberry32(5);
    const lines = Array.from({ length: 5_000 }, (_, i) =>
      i % 7 === 0 ? `line ${i} ${'ü'.repeat(Math.floor(random() * 3000))}` : `line ${i}`,
    );
    for (const newline of ['\n', '\r\n']) {
      for (const end of ['', newline]) {
        const p = await file(lines.join(newline) + end);
        const result = await prescan(p, { maxLineBytes: 1 << 20, csv: false });
        expect(result.checkpoints.length).to.equal(Math.ceil(lines.length / CHECKPOINT_LINES));
        expect(await firstNewline(p)).to.equal(newline === '\n' ? 'lf' : 'crlf');
        const wanted = [1, 2, 63, 64, 65, 129, 1000, 4999, 5000].concat(
          Array.from({ length: 50 }, (_, i) => 1001 + i * 71),
        );
        wanted.sort((a, b) => a - b);
        const got: [number, string][] = [];
        await lineTexts(p, result.checkpoints, wanted, (n, text) => got.push([n, text]));
        expect(got).to.deep.equal(wanted.map((n) => [n, lines[n - 1]]));
      }
    }
  });
});
