// s3rver ships no types; this covers the part the tests use.
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    readonly address?: string;
    readonly port?: number;
    readonly silent?: boolean;
    readonly directory: string;
    readonly resetOnClose?: boolean;
    readonly allowMismatchedSignatures?: boolean;
  }

  /** Notification emitted after each object write (eventName e.g. `ObjectCreated:Post` for multipart). */
  interface S3rverEvent {
    readonly Records: readonly {
      readonly eventName: string;
      readonly s3: { readonly object: { readonly key: string } };
    }[];
  }

  export default class S3rver {
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
    constructor(options: S3rverOptions);
    /** Resolves with the HTTP server's bound address. */
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
