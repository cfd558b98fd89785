import fs from 'node:fs';
import path from 'node:path';
import { defineResource, NonRetryableError } from '@streampro/engine';
import { duckdbResource, lakeResource } from '@streampro/operators';
import { dataDir, emailSalt } from './config.js';

/** The folder the day's landing files arrive in (STREAMPRO_DATA_DIR, else ./data). */
export class LandingFolder {
  constructor(readonly path: string) {}

  /** The file's name, once it is known to be there; a missing file does not appear by retrying. */
  require(file: string): string {
    if (!fs.existsSync(path.join(this.path, file))) {
      throw new NonRetryableError(
        `landing file ${file} not found in data folder ${this.path}: put the day's files there ` +
          '(npm run generate -- --start D --end D writes them) or set STREAMPRO_DATA_DIR',
      );
    }
    return file;
  }
}

/** The resources of the StreamPro DAGs; each task reads the ones it needs from `ctx.resources`. */
export const lake = lakeResource();

export const landing = defineResource({
  description: 'the landing folder: STREAMPRO_DATA_DIR, else ./data',
  open: (ctx) => new LandingFolder(dataDir(ctx.env)),
});

/** The salt of email pseudonymisation, masked in the run's logs as soon as a try reads it. */
export const salt = defineResource({
  description: 'the email salt: STREAMPRO_EMAIL_SALT, else a development value',
  open: (ctx) => {
    const value = emailSalt(ctx.env);
    ctx.maskSecret(value);
    return value;
  },
});

export const duckdb = duckdbResource({ label: 'streampro-analytics-' });
