/**
 * Test-only Workload API client over grpc-js: each stream is a queue the test awaits message by
 * message, so "a message arrived" and "nothing arrived within T" are both checkable.
 */
import * as grpc from '@grpc/grpc-js';
import { WORKLOAD_HEADER, WorkloadApiClient } from './proto.ts';

export interface TestStream<T> {
  /** The next message; rejects with the stream's error, or after `ms`. */
  next(ms?: number): Promise<T>;
  /** Resolves true if no message arrived within `ms`. */
  quiet(ms: number): Promise<boolean>;
  /** The status error that ended the stream. */
  error(ms?: number): Promise<grpc.ServiceError>;
  cancel(): void;
}

export function testClient(address: string): grpc.Client & Record<string, (...a: unknown[]) => unknown> {
  return new WorkloadApiClient(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
}

export function headers(withHeader = true): grpc.Metadata {
  const md = new grpc.Metadata();
  if (withHeader) md.set(WORKLOAD_HEADER, 'true');
  return md;
}

export function openStream<T>(client: ReturnType<typeof testClient>, method: string, withHeader = true): TestStream<T> {
  const call = client[method]!({}, headers(withHeader)) as grpc.ClientReadableStream<T>;
  const queue: T[] = [];
  let failure: grpc.ServiceError | undefined;
  let wake: (() => void) | undefined;
  call.on('data', (m: T) => {
    queue.push(m);
    wake?.();
  });
  call.on('error', (e: grpc.ServiceError) => {
    failure = e;
    wake?.();
  });
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  return {
    async next(ms = 5_000) {
      if (queue.length === 0 && !failure) await wait(ms);
      const m = queue.shift();
      if (m !== undefined) return m;
      throw failure ?? new Error(`no ${method} message within ${ms} ms`);
    },
    async quiet(ms) {
      if (queue.length === 0) await wait(ms);
      return queue.length === 0;
    },
    async error(ms = 5_000) {
      if (!failure) await wait(ms);
      if (!failure) throw new Error(`${method} did not fail within ${ms} ms`);
      return failure;
    },
    cancel: () => call.cancel(),
  };
}
