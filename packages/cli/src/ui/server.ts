import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { UsageError } from '../errors.js';
import type { UiEnv } from './env.js';

export interface ListeningUi {
  /** `http://127.0.0.1:8484/`, with the port actually bound (for `--port 0`). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends open connections (event streams included) and resolves once closed. */
  close(): Promise<void>;
}

/** Serves the app on `host:port`; a port in use or an address not of this machine is a UsageError. */
export function listen(app: Hono<UiEnv>, host: string, port: number): Promise<ListeningUi> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off('error', onError);
      const name = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${name}:${info.port}/`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} on ${host} is in use; pick another with --port`)
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? new UsageError(`cannot bind ${host}: not an address of this machine`)
            : error,
      );
    };
    server.once('error', onError);
  });
}
