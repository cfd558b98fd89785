/**
 * Writes one generated StreamPro day into a folder, in its own process so the day's records (held in
 * memory by the generator) do not stay in the benchmark's heap: `pipeline-data.ts <date> <users> <dir>`.
 * Prints `{ "eventLines": n }`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_OPTIONS, generateDay } from '../scripts/generate/index.js';

const [date, users, dir] = process.argv.slice(2);
if (!date || !users || !dir) {
  process.stderr.write('usage: pipeline-data.ts <date> <users per day> <dir>\n');
  process.exit(2);
}
const day = generateDay({ date, options: { ...DEFAULT_OPTIONS, usersPerDay: Number(users) } });
fs.mkdirSync(dir, { recursive: true });
let eventLines = 0;
for (const [name, text] of Object.entries(day.files)) {
  fs.writeFileSync(path.join(dir, name), text);
  if (name.startsWith('events_')) eventLines = text.split('\n').filter((l) => l.trim() !== '').length;
}
process.stdout.write(`${JSON.stringify({ eventLines })}\n`);
