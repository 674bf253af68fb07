/**
 * An environment fault the person running the tests can fix. Its message is one sentence that
 * says what went wrong and what to do; callers print it without a stack trace.
 */
export class HarnessError extends Error {
  override name = 'HarnessError';
}

/** Prints a HarnessError as its sentence alone; anything else keeps its stack (it is a bug). */
export function describeFailure(err: unknown): string {
  if (err instanceof HarnessError) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
