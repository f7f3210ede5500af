/**
 * `SyncQueue` for local mode: delivers each request to a consumer in the same process,
 * one at a time and in order, like an SQS queue with a single worker.
 */
import type { SyncQueue, SyncRequest } from '../ports.js';

export type SyncConsumer = (request: SyncRequest) => Promise<void>;

export class LocalSyncQueue implements SyncQueue {
  private consumer: SyncConsumer | undefined;
  private tail: Promise<void> = Promise.resolve();

  /** Sets the function that processes queued requests (the sync worker). */
  attach(consumer: SyncConsumer): void {
    this.consumer = consumer;
  }

  async enqueue(requests: SyncRequest[]): Promise<void> {
    for (const request of requests) {
      this.tail = this.tail.then(() => this.deliver(request));
    }
  }

  /** Resolves when every request queued so far has been processed. */
  async drained(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.tail;
      await current;
    } while (current !== this.tail);
  }

  private async deliver(request: SyncRequest): Promise<void> {
    if (!this.consumer) return;
    try {
      await this.consumer(request);
    } catch {
      // The consumer records its own failures (sync run outcome); the queue keeps going, like SQS with a DLQ.
    }
  }
}
