import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so the suite runs from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DAG_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'dag.js');
