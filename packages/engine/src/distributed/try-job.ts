import type { TryDescriptor } from '../executor/try-descriptor.js';

/** The graphile-worker job of one try: its descriptor, as plain JSON; secrets never travel through the queue. */
export interface TryJobPayload {
  readonly descriptor: TryDescriptor;
}
