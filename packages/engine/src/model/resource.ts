import type { TaskLogger } from '../logging/logger.js';
import { DagDefinitionError } from './errors.js';

/**
 * What a resource's `open` receives: the identity of the try it serves and the means to configure itself.
 * Resources are opened in the process that runs the try, so `env` is that process's environment (where the
 * CLI puts the profile's settings and the credentials it names).
 */
export interface ResourceContext {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly tryNumber: number;
  /** The run's logical date, ISO 8601 UTC. */
  readonly logicalDate: string;
  /** The logical date as `YYYY-MM-DD`. */
  readonly ds: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The try's logger. */
  readonly log: TaskLogger;
  /** The try's signal: aborted on timeout or cancellation. */
  readonly signal: AbortSignal;
  /** Masks a value (a token read from `env`) in every later log line of the run. */
  maskSecret(value: string): void;
}

/** What `defineResource` takes. */
export interface ResourceSpec<T> {
  /** One line for humans: what the resource is and where its settings come from. */
  readonly description?: string;
  /** Opens the resource for one try; a throw fails the try like a throw of the body (same retry rules). */
  open(ctx: ResourceContext): T | Promise<T>;
  /** Releases it after the try, whatever the try's outcome; an error here is logged, not the try's outcome. */
  close?(value: T): void | Promise<void>;
}

const RESOURCE_BRAND = Symbol.for('streampro.resource');

/** A declared resource: opened at most once per try, on first use, and closed after the try. */
export interface Resource<T> extends ResourceSpec<T> {
  readonly [RESOURCE_BRAND]: true;
}

/** The resources a DAG declares, by the name tasks use on `ctx.resources`. */
export type ResourceSpecs = Readonly<Record<string, Resource<unknown>>>;

/** The value a resource opens to. */
export type ResourceValue<R> = R extends Resource<infer T> ? T : never;

/**
 * `ctx.resources` of a DAG declaring `R`: each resource as a promise of its value, opened on first access
 * (awaiting the same name twice in a try gives the same value).
 */
export type ResourceHandles<R extends ResourceSpecs> = {
  readonly [K in keyof R]: Promise<ResourceValue<R[K]>>;
};

/**
 * Declares a resource a DAG can give its tasks (an object store, a database session, an API client). The
 * engine knows nothing of what it opens: it calls `open` inside the process running a try, the first time
 * the task reads the resource, and `close` once the try has finished.
 */
export function defineResource<T>(spec: ResourceSpec<T>): Resource<T> {
  if (typeof spec?.open !== 'function') {
    throw new DagDefinitionError('defineResource: open must be a function returning the resource');
  }
  if (spec.close !== undefined && typeof spec.close !== 'function') {
    throw new DagDefinitionError('defineResource: close must be a function when given');
  }
  const close = spec.close;
  return {
    [RESOURCE_BRAND]: true,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    open: (ctx) => spec.open(ctx),
    ...(close ? { close: (value: T) => close.call(spec, value) } : {}),
  };
}

/** True for a resource made by any copy of this package (DAG files may load another copy). */
export function isResource(value: unknown): value is Resource<unknown> {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RESOURCE_BRAND] === true
  );
}

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Checks a DAG's `resources`: names usable as `ctx.resources.<name>`, values made by `defineResource`. */
export function validateResources(dagId: string, resources: unknown): void {
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) {
    throw new DagDefinitionError(`DAG '${dagId}': resources must be an object of named resources`);
  }
  for (const [name, resource] of Object.entries(resources)) {
    if (!NAME.test(name)) {
      throw new DagDefinitionError(
        `DAG '${dagId}': resource name ${JSON.stringify(name)} is not an identifier; use letters, digits, _ or $, not starting with a digit`,
      );
    }
    if (!isResource(resource)) {
      throw new DagDefinitionError(
        `DAG '${dagId}': resource '${name}' was not made with defineResource({ open, close })`,
      );
    }
  }
}
