import path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the landing files are read from, from the environment the CLI prepares (a profile's `env` may set
 * it). Read when a try opens its resources, not at import time, so `dag list` never touches storage.
 */
export function dataDir(env: Env = process.env): string {
  return path.resolve(env.STREAMPRO_DATA_DIR ?? 'data');
}

/** Development salt for email pseudonymisation; production sets STREAMPRO_EMAIL_SALT to a secret. */
export const DEV_EMAIL_SALT = 'streampro-dev-salt';

export function emailSalt(env: Env = process.env): string {
  return env.STREAMPRO_EMAIL_SALT || DEV_EMAIL_SALT;
}
