import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { processAlive } from '@streampro/engine';

/**
 * Work folders (downloads, DuckDB spill files, local results) named after the host and process that made
 * them: `<prefix><host>-<pid>-XXXXXX`. A process killed with SIGKILL cannot remove its own, so the next work
 * folder made in the same parent first removes those of processes of this host that are gone. Folders of
 * live processes, and of other hosts (a temp folder shared between containers), are never touched.
 */
const swept = new Set<string>();

/** A host name reduced to what a folder name may hold. */
function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host';
}

/** Removes the work folders in `parent` left by processes of this host that no longer run. */
export async function sweepWorkFolders(parent: string): Promise<string[]> {
  const name = new RegExp(`^streampro-[a-z-]+-${hostTag().replaceAll('.', '\\.')}-(\\d+)-[A-Za-z0-9]{6}$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return removed;
  }
  for (const entry of names) {
    const m = name.exec(entry);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    await rm(path.join(parent, entry), { recursive: true, force: true }).catch(() => undefined);
    removed.push(entry);
  }
  return removed;
}

/**
 * Makes a work folder `<parent>/<prefix><host>-<pid>-XXXXXX` (prefix like `streampro-to-parquet-`), after
 * sweeping `parent` once per process.
 */
export async function makeWorkFolder(parent: string, prefix: string): Promise<string> {
  if (!prefix.startsWith('streampro-') || !prefix.endsWith('-')) {
    throw new RangeError(
      `a work folder prefix looks like "streampro-<what>-", got ${JSON.stringify(prefix)}`,
    );
  }
  if (!swept.has(parent)) {
    swept.add(parent);
    await sweepWorkFolders(parent);
  }
  return mkdtemp(path.join(parent, `${prefix}${hostTag()}-${process.pid}-`));
}
