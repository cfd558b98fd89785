import path from 'node:path';
import type { Env } from './home.js';
import type { Profile } from './profile.js';

/** Where the run state lives: a database server, or the SQLite file of the home (the embedded default). */
export interface StateLocation {
  /** What `openRunStore` opens: a `postgres://` URL or the path of `state.db`. */
  readonly location: string;
  /** True for a server: its state exists before this process, so reading it never creates a file. */
  readonly server: boolean;
  /** The password written in a URL, masked in every log line. */
  readonly secret: string | undefined;
}

/**
 * A profile's `database`, else `STREAMPRO_DATABASE_URL`, else `<home>/state.db`. A profile wins, as its
 * `lake` does over STREAMPRO_LAKE: `--env <name>` is the more explicit choice.
 */
export function stateLocation(home: string, profile: Profile | undefined, env: Env): StateLocation {
  const url = profile?.database ?? nonEmpty(env.STREAMPRO_DATABASE_URL);
  if (url === undefined) return { location: path.join(home, 'state.db'), server: false, secret: undefined };
  return { location: url, server: true, secret: passwordOf(url) };
}

function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const password = parsed.password
      ? decodeURIComponent(parsed.password)
      : parsed.searchParams.get('password');
    return password || undefined;
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
