import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Env } from './home.js';

/** S3 settings of a profile. Credentials are never written in the file, only the names of variables holding them. */
export interface S3Profile {
  readonly endpoint?: string;
  readonly region?: string;
  readonly forcePathStyle?: boolean;
  /** Name of the environment variable holding the access key id. */
  readonly accessKeyIdEnv?: string;
  /** Name of the environment variable holding the secret access key. */
  readonly secretAccessKeyEnv?: string;
}

/** Contents of `config/<name>.json`, selected with `--env <name>`. */
export interface Profile {
  readonly name: string;
  /** Lake root (`s3://bucket/prefix/` or a local path); default `<home>/lake`. */
  readonly lake?: string;
  readonly s3?: S3Profile;
  /** Plain (non-secret) variables exported to DAG code. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * State database: a `postgres://user@host:5432/database[?schema=name]` URL (no password: the driver reads
   * PGPASSWORD or ~/.pgpass). Overrides STREAMPRO_DATABASE_URL; default the SQLite file in the home.
   */
  readonly database?: string;
}

export const PROFILE_DIR = 'config';

/** Names of the profiles in `<cwd>/config/`. */
export function availableProfiles(cwd: string): string[] {
  const dir = path.join(cwd, PROFILE_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Reads and validates `config/<name>.json`; an unknown or malformed profile is a UsageError. */
export function loadProfile(name: string, cwd: string): Profile {
  const file = path.join(cwd, PROFILE_DIR, `${name}.json`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || !fs.existsSync(file)) {
    const known = availableProfiles(cwd);
    throw new UsageError(
      `unknown profile '${name}' (no ${PROFILE_DIR}/${name}.json); available profiles: ${known.length ? known.join(', ') : '(none)'}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`profile ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return validateProfile(name, file, raw);
}

function validateProfile(name: string, file: string, raw: unknown): Profile {
  const bad = (what: string): never => {
    throw new UsageError(`profile ${file}: ${what}`);
  };
  if (!isRecord(raw)) return bad('must be a JSON object');
  const { lake, s3, env, database } = raw;
  if (lake !== undefined && typeof lake !== 'string') bad('"lake" must be a string');
  if (database !== undefined) {
    if (typeof database !== 'string' || !/^postgres(ql)?:\/\//i.test(database)) {
      bad('"database" must be a postgres://user@host:5432/database URL');
    }
    if (hasPassword(database as string)) {
      bad('"database" must not contain a password; export PGPASSWORD or use ~/.pgpass instead');
    }
  }
  if (s3 !== undefined) {
    if (!isRecord(s3)) return bad('"s3" must be an object');
    for (const key of ['endpoint', 'region', 'accessKeyIdEnv', 'secretAccessKeyEnv']) {
      if (s3[key] !== undefined && typeof s3[key] !== 'string') bad(`"s3.${key}" must be a string`);
    }
    if (s3.forcePathStyle !== undefined && typeof s3.forcePathStyle !== 'boolean') {
      bad('"s3.forcePathStyle" must be a boolean');
    }
  }
  if (env !== undefined) {
    if (!isRecord(env)) return bad('"env" must be an object of strings');
    for (const [k, v] of Object.entries(env)) if (typeof v !== 'string') bad(`"env.${k}" must be a string`);
  }
  return { ...(raw as Omit<Profile, 'name'>), name };
}

function hasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || parsed.searchParams.has('password');
  } catch {
    return false; // malformed: the store says so precisely when it opens
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The variables DAG code reads, computed from the home and the profile (if any). Secrets are copied from
 * the variables the profile names; a named variable that is unset is a UsageError, so a run never starts
 * with half its credentials.
 */
export function profileEnv(home: string, profile: Profile | undefined, env: Env): Record<string, string> {
  const out: Record<string, string> = { STREAMPRO_HOME: home };
  out.STREAMPRO_LAKE = profile?.lake ?? env.STREAMPRO_LAKE ?? path.join(home, 'lake');
  if (!profile) return out;
  Object.assign(out, profile.env ?? {});
  const s3 = profile.s3;
  if (s3?.endpoint) out.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  if (s3?.region) out.AWS_REGION = s3.region;
  if (s3?.forcePathStyle !== undefined) out.STREAMPRO_S3_FORCE_PATH_STYLE = String(s3.forcePathStyle);
  const secret = (target: string, source: string | undefined): void => {
    if (!source) return;
    const value = env[source];
    if (value === undefined || value === '') {
      throw new UsageError(
        `profile '${profile.name}' reads ${target} from $${source}, which is not set; export ${source} first`,
      );
    }
    out[target] = value;
  };
  secret('AWS_ACCESS_KEY_ID', s3?.accessKeyIdEnv);
  secret('AWS_SECRET_ACCESS_KEY', s3?.secretAccessKeyEnv);
  return out;
}
