import { NonRetryableError } from '@streampro/engine';
import type { ColumnSpec, TableSchema } from './types.js';

/** A schema declaration that cannot work; retrying the task cannot fix it. */
export class InvalidSchemaError extends NonRetryableError {
  override readonly name = 'InvalidSchemaError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid table schema: ${problems.join('; ')}`);
  }
}

/** Names the staging SQL uses for its own columns; a declared column may not take them. */
const RESERVED_PREFIX = '__';

/** Canonical-matching key: case and whitespace do not matter (` Sci - Fi ` and `sci-fi` meet). */
export function canonicalKey(value: string): string {
  return value.replace(/\s+/g, '').toLowerCase();
}

/** Throws InvalidSchemaError listing every problem of the declaration at once. */
export function validateSchema(schema: TableSchema): void {
  const problems: string[] = [];
  const names = Object.keys(schema.columns);
  if (names.length === 0) problems.push('at least one column is required');
  for (const [name, column] of Object.entries(schema.columns)) {
    problems.push(...columnProblems(name, column));
  }
  const derivedNames = Object.keys(schema.derived ?? {});
  for (const name of derivedNames) {
    if (name in schema.columns) problems.push(`derived column ${name} has the name of a source column`);
    if (name.startsWith(RESERVED_PREFIX))
      problems.push(`derived column ${name}: names starting with __ are reserved`);
    if (!schema.derived?.[name]?.sql.trim()) problems.push(`derived column ${name}: sql is empty`);
  }
  for (const key of schema.dedupKey ?? []) {
    if (!(key in schema.columns)) problems.push(`dedupKey column ${key} is not declared`);
  }
  if (schema.dedupKey !== undefined && schema.dedupKey.length === 0) problems.push('dedupKey is empty');
  for (const key of schema.drop ?? []) {
    if (!(key in schema.columns)) problems.push(`drop column ${key} is not declared`);
  }
  const kept = names.filter((name) => !(schema.drop ?? []).includes(name));
  if (kept.length + derivedNames.length === 0)
    problems.push('every column is dropped: the output would have none');
  const checkNames = new Set<string>();
  for (const check of schema.checks ?? []) {
    if (!/^[A-Za-z0-9_.-]+$/.test(check.name))
      problems.push(`check name ${JSON.stringify(check.name)} must match [A-Za-z0-9_.-]+`);
    if (checkNames.has(check.name)) problems.push(`check ${check.name} is declared twice`);
    checkNames.add(check.name);
    if (!check.predicate.trim()) problems.push(`check ${check.name}: predicate is empty`);
  }
  if (problems.length > 0) throw new InvalidSchemaError(problems);
}

function columnProblems(name: string, column: ColumnSpec): string[] {
  const problems: string[] = [];
  const at = (text: string): void => {
    problems.push(`column ${name}: ${text}`);
  };
  if (name.length === 0) at('empty name');
  if (name.startsWith(RESERVED_PREFIX)) at('names starting with __ are reserved');
  if (column.source !== undefined && column.source.length === 0) at('source is empty');
  if (column.pattern !== undefined) {
    try {
      new RegExp(column.pattern, 'u');
    } catch (error) {
      at(`pattern does not compile: ${(error as Error).message}`);
    }
  }
  if ('min' in column && 'max' in column && column.min !== undefined && column.max !== undefined) {
    if (column.min > column.max) at(`min ${column.min} is greater than max ${column.max}`);
  }
  if (column.type === 'string') {
    if (column.canonical !== undefined) {
      if (column.canonical.length === 0) at('canonical list is empty');
      const keys = new Map<string, string>();
      for (const value of column.canonical) {
        const key = canonicalKey(value);
        const other = keys.get(key);
        if (other !== undefined)
          at(`canonical values ${other} and ${value} differ only by case or whitespace`);
        keys.set(key, value);
      }
      for (const [alias, target] of Object.entries(column.aliases ?? {})) {
        if (!column.canonical.includes(target))
          at(`alias ${alias} maps to ${target}, which is not canonical`);
      }
    } else if (column.aliases !== undefined) {
      at('aliases need a canonical list');
    }
    if (column.allowed?.length === 0) at('allowed list is empty');
  }
  if (column.type === 'timestamp' && column.window !== undefined) {
    for (const [key, days] of Object.entries(column.window)) {
      if (!(Number.isSafeInteger(days) && days >= 0))
        at(`window.${key} ${days} is not a whole number of days >= 0`);
    }
  }
  if (column.type === 'integer') {
    for (const bound of [column.min, column.max]) {
      if (bound !== undefined && !Number.isSafeInteger(bound)) at(`bound ${bound} is not a safe integer`);
    }
  }
  return problems;
}
