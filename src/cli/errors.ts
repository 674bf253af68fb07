/** A failure the CLI reports as one line on stderr, with exit code 1 (2 for usage errors). */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
