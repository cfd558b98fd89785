import { defineResource, type Resource } from '@streampro/engine';
import type { ObjectStore } from '../storage/object-store.js';
import { lakeUri, type OpenStoreOptions, openStore } from '../storage/open-store.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface StoreResourceOptions {
  /** The store's URI (`s3://bucket/prefix`, `file:///path` or a path) from the try's environment. */
  readonly uri: (env: Env) => string;
  /** S3 settings beyond the URI; unset ones come from the try's environment (the AWS variables). */
  readonly storeOptions?: Omit<OpenStoreOptions, 'env'>;
  readonly description?: string;
}

/**
 * An object store as a DAG resource: opened from the try's environment (so a profile can point it at S3),
 * closed after the try.
 */
export function storeResource(options: StoreResourceOptions): Resource<ObjectStore> {
  return defineResource<ObjectStore>({
    ...(options.description !== undefined ? { description: options.description } : {}),
    open: (ctx) => openStore(options.uri(ctx.env), { ...options.storeOptions, env: ctx.env }),
    close: (store) => store.close(),
  });
}

/** The data lake (`STREAMPRO_LAKE`, else `<STREAMPRO_HOME>/lake`; see `lakeUri`) as a DAG resource. */
export function lakeResource(): Resource<ObjectStore> {
  return storeResource({
    uri: lakeUri,
    description: 'the data lake: STREAMPRO_LAKE (a path or s3://bucket/prefix), else <STREAMPRO_HOME>/lake',
  });
}
