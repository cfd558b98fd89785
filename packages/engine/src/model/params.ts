import { DagDefinitionError, InvalidInputError } from './errors.js';
import { assertValidId } from './ids.js';

/** A DAG parameter's value: what a `--param key=value` can express. */
export type ParamValue = string | number | boolean;

/** Declaration of one DAG parameter. */
export interface ParamSpec<T extends ParamValue = ParamValue> {
  /** Value used when the run does not set one; its type is the parameter's type. */
  readonly default: T;
  readonly description?: string;
  /** Masked as `***` in every log line of every try. */
  readonly secret?: boolean;
}

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : never;

/** The typed values a task sees for a DAG's parameter declarations. */
export type ParamValues<S extends ParamSpecs> = { readonly [K in keyof S]: Widen<S[K]['default']> };

export function validateParamSpecs(dagId: string, specs: ParamSpecs): void {
  for (const [name, spec] of Object.entries(specs)) {
    assertValidId('param', name);
    const t = typeof spec.default;
    if (t !== 'string' && t !== 'number' && t !== 'boolean') {
      throw new DagDefinitionError(
        `DAG '${dagId}': param '${name}' must have a string, number or boolean default, got ${t}`,
      );
    }
  }
}

/**
 * Merges user overrides into defaults. Overrides given as strings (from a command line) are converted to
 * the declared type; unknown names and unconvertible values throw InvalidInputError.
 */
export function resolveParams(
  dagId: string,
  specs: ParamSpecs,
  overrides: Readonly<Record<string, ParamValue>> = {},
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.default;
  for (const [name, raw] of Object.entries(overrides)) {
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs);
      throw new InvalidInputError(
        `unknown param '${name}' for DAG '${dagId}'; known params: ${known.length ? known.join(', ') : '(none)'}`,
      );
    }
    out[name] = coerce(dagId, name, spec, raw);
  }
  return out;
}

function coerce(dagId: string, name: string, spec: ParamSpec, raw: ParamValue): ParamValue {
  const want = typeof spec.default;
  if (typeof raw === want) return raw;
  const text = String(raw);
  if (want === 'number') {
    const n = Number(text);
    if (text.trim() !== '' && Number.isFinite(n)) return n;
  } else if (want === 'boolean') {
    if (text === 'true') return true;
    if (text === 'false') return false;
  } else {
    return text;
  }
  throw new InvalidInputError(
    `param '${name}' of DAG '${dagId}' must be a ${want}, got ${JSON.stringify(text)}`,
  );
}

/** Values of params declared secret, for log masking. */
export function secretParamValues(specs: ParamSpecs, values: Readonly<Record<string, ParamValue>>): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const v = values[name];
    if (spec.secret && v !== undefined && String(v) !== '') out.push(String(v));
  }
  return out;
}
