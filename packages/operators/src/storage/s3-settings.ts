import { validatePrefix } from './keys.js';

const MIB = 1024 * 1024;
/** S3's smallest allowed multipart part (except the last). */
export const MIN_PART_SIZE_BYTES = 5 * MIB;

/** Static credentials; omit them to use the SDK's default chain (env vars, profiles, roles). */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Options of S3Store.open; unset fields fall back to the standard AWS env vars. */
export interface S3StoreOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket; leading and trailing `/` are ignored. @default '' */
  readonly prefix?: string;
  /** Endpoint URL for S3-compatible servers. @default env AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS */
  readonly endpoint?: string;
  /** @default env AWS_REGION, then AWS_DEFAULT_REGION, then 'us-east-1' */
  readonly region?: string;
  /** Path-style URLs (`endpoint/bucket/key`), needed by MinIO and local servers. @default true when an endpoint is set */
  readonly forcePathStyle?: boolean;
  /** @default env AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the SDK's default chain */
  readonly credentials?: S3Credentials;
  /** Attempts per request under the SDK's standard retry strategy (1 = no retry). @default 5 */
  readonly maxAttempts?: number;
  /** Multipart part size for putFile/putStream; at least 5 MiB. @default 8 MiB */
  readonly partSizeBytes?: number;
  /** Parts uploaded in parallel; memory use is about queueSize * partSizeBytes. @default 4 */
  readonly queueSize?: number;
  /** @default 10_000 */
  readonly connectionTimeoutMs?: number;
  /** Socket idle timeout of a request. @default 120_000 */
  readonly requestTimeoutMs?: number;
  /** Check the bucket with HeadBucket when opening, to fail fast. @default true */
  readonly verifyBucket?: boolean;
  /** Environment to read defaults from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Options after defaults and validation. */
export interface S3Settings {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint: string | undefined;
  /** The endpoint, or AWS's regional endpoint when none is set; for messages. */
  readonly endpointLabel: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  readonly credentials: S3Credentials | undefined;
  readonly maxAttempts: number;
  readonly partSizeBytes: number;
  readonly queueSize: number;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`S3 option ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Applies defaults and env vars; throws RangeError/TypeError naming the bad option. */
export function resolveS3Settings(options: S3StoreOptions): S3Settings {
  const env = options.env ?? process.env;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
    throw new TypeError(
      `invalid S3 bucket name '${options.bucket}' (3-63 lowercase letters, digits, '.', '-')`,
    );
  }
  const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
  validatePrefix(prefix);
  const endpoint =
    nonEmpty(options.endpoint) ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new TypeError(`invalid S3 endpoint URL '${endpoint}'`);
  }
  const region =
    nonEmpty(options.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const fromEnv =
    accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
      : undefined;
  return {
    bucket: options.bucket,
    prefix,
    endpoint,
    endpointLabel: endpoint ?? `https://s3.${region}.amazonaws.com`,
    region,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    credentials: options.credentials ?? fromEnv,
    maxAttempts: positiveInt('maxAttempts', options.maxAttempts ?? 5),
    partSizeBytes: positiveInt('partSizeBytes', options.partSizeBytes ?? 8 * MIB, MIN_PART_SIZE_BYTES),
    queueSize: positiveInt('queueSize', options.queueSize ?? 4),
    connectionTimeoutMs: positiveInt('connectionTimeoutMs', options.connectionTimeoutMs ?? 10_000),
    requestTimeoutMs: positiveInt('requestTimeoutMs', options.requestTimeoutMs ?? 120_000),
  };
}
