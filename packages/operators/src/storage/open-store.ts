import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import type { S3StoreOptions } from './s3-settings.js';
import { S3Store } from './s3-store.js';

/** S3 options for `openStore`; bucket and prefix come from the URI. */
export type OpenStoreOptions = Omit<S3StoreOptions, 'bucket' | 'prefix'>;

/**
 * Opens the store a URI names: `s3://bucket/prefix` -> S3Store; `file:///abs/path` or a plain path
 * (relative to the cwd) -> LocalStore. The caller closes the store.
 */
export async function openStore(uri: string, options: OpenStoreOptions = {}): Promise<ObjectStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1);
    if (bucket === '') throw new TypeError(`S3 URI '${uri}' names no bucket; expected s3://bucket/prefix`);
    return S3Store.open({ ...options, bucket, prefix });
  }
  if (scheme === 'file') return LocalStore.open(fileURLToPath(uri));
  if (scheme !== undefined) {
    throw new TypeError(
      `unsupported store URI scheme '${scheme}://' in '${uri}'; use s3://, file:// or a path`,
    );
  }
  if (uri === '') throw new TypeError('store URI is empty');
  return LocalStore.open(uri);
}

/**
 * URI of the data lake: env STREAMPRO_LAKE, else `<STREAMPRO_HOME or ./.streampro>/lake` resolved
 * against the cwd.
 */
export function lakeUri(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const lake = env.STREAMPRO_LAKE?.trim();
  if (lake) return lake;
  return path.resolve(env.STREAMPRO_HOME?.trim() || '.streampro', 'lake');
}
