import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's built-in access key (it does not verify SigV4 signatures, so any secret is accepted). */
export const S3RVER_KEY = 'S3RVER';

/**
 * s3rver on 127.0.0.1 that can be stopped and started again on the same port with the same data
 * folder, to play an object store that goes away mid-run and comes back.
 */
export class RestartableS3 {
  #server: S3rver | undefined;
  private constructor(
    readonly directory: string,
    public port: number,
  ) {}

  static async start(): Promise<RestartableS3> {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'streampro-rel-s3-'));
    const s3 = new RestartableS3(directory, 0);
    await s3.up();
    return s3;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = new S3rver({
      address: '127.0.0.1',
      port: this.port,
      silent: true,
      directory: this.directory,
    });
    const address = await server.run();
    this.port = address.port;
    this.#server = server;
  }

  async down(): Promise<void> {
    await this.#server?.close();
    this.#server = undefined;
  }

  async createBucket(): Promise<string> {
    const bucket = `rel-${randomUUID().slice(0, 8)}`;
    const admin = new S3Client({
      endpoint: this.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
    });
    try {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    } finally {
      admin.destroy();
    }
    return bucket;
  }

  async close(): Promise<void> {
    await this.down();
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** What the proxy does with one request. */
export type ProxyAction =
  | { readonly kind: 'forward' }
  /** Answers with this status and an S3 error body, without reaching the server. */
  | { readonly kind: 'status'; readonly status: number }
  /** Waits, then forwards. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Accepts the request and never answers (a hung server); the connection stays open until closed. */
  | { readonly kind: 'hang' }
  /** Forwards the headers and half of the body, then drops both connections (a torn upload). */
  | { readonly kind: 'cut' };

/**
 * A tiny HTTP proxy on 127.0.0.1 in front of the S3 server that misbehaves for chosen requests.
 * `plan(n, req)` picks the action for the n-th request (0-based).
 */
export class FaultProxy {
  readonly seen: string[] = [];
  #count = 0;
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(
    targetPort: () => number,
    plan: (n: number, req: http.IncomingMessage) => ProxyAction,
  ): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = http.createServer((req, res) => {
      const n = proxy!.#count++;
      const action = plan(n, req);
      proxy!.seen.push(`${action.kind} ${req.method} ${req.url}`);
      void handle(req, res, action, targetPort());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FaultProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** How many requests got each action so far. */
  count(kind: ProxyAction['kind']): number {
    return this.seen.filter((s) => s.startsWith(`${kind} `)).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  action: ProxyAction,
  targetPort: number,
): Promise<void> {
  req.on('error', () => {});
  res.on('error', () => {});
  if (action.kind === 'status') {
    req.resume();
    const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected ${action.status}</Message></Error>`;
    res.writeHead(action.status, { 'content-type': 'application/xml', connection: 'close' });
    res.end(body);
    return;
  }
  if (action.kind === 'hang') {
    req.resume();
    return;
  }
  if (action.kind === 'delay') await sleep(action.ms);
  const upstream = http.request({
    host: '127.0.0.1',
    port: targetPort,
    method: req.method,
    path: req.url,
    headers: req.headers,
  });
  upstream.on('error', () => res.destroy());
  upstream.on('response', (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  if (action.kind === 'cut') {
    const total = Number(req.headers['content-length'] ?? 0);
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      const room = Math.floor(total / 2) - sent;
      if (room > 0) upstream.write(chunk.subarray(0, room));
      sent += chunk.length;
      if (sent >= total / 2) {
        upstream.destroy();
        req.socket.destroy();
      }
    });
    return;
  }
  req.pipe(upstream);
}
