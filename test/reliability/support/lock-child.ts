/**
 * Holds an exclusive transaction on a SQLite file until killed (bounded at 60 s), printing `locked` once
 * it has it. usage: node lock-child.ts <state.db>
 */
import Database from 'better-sqlite3';

const file = process.argv[2];
if (!file) throw new Error('usage: lock-child.ts <state.db>');
const db = new Database(file);
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\n');
setTimeout(() => db.close(), 60_000);
