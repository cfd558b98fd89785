import { DagDefinitionError } from './errors.js';

/** Ids of DAGs, tasks and groups become path segments, so only these characters are allowed. */
export const ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const ID_RULE =
  'ids may contain only letters, digits, underscore, dot and hyphen ([A-Za-z0-9_.-]), at most 200 characters, and may not be "." or ".."';

export function isValidId(id: string): boolean {
  return typeof id === 'string' && id.length <= 200 && ID_PATTERN.test(id) && id !== '.' && id !== '..';
}

/** Throws a DagDefinitionError naming the id and the rule when `id` is not a valid id. */
export function assertValidId(kind: string, id: string): void {
  if (!isValidId(id)) throw new DagDefinitionError(`invalid ${kind} id ${JSON.stringify(id)}: ${ID_RULE}`);
}
