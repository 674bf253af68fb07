/**
 * Typed errors of the Akash domain. Every problem names where it is (a JSON path such as
 * `[0].services[1].expose[0].port`, or a YAML path such as `services.web.expose[0].port` with its
 * line) and which rule it breaks, so callers can show it and tests can match on the rule.
 */

export interface Problem {
  /** Where: a JSON path into the manifest, or a YAML path into the SDL ('' for the whole input). */
  path: string;
  /** A short stable rule name, e.g. `port-range`, `json-syntax`, `unknown-profile`. */
  rule: string;
  message: string;
  /** 1-based line in the source text, when known. */
  line?: number;
}

function formatProblem(p: Problem): string {
  const where = p.path === '' ? '' : `${p.path}: `;
  const line = p.line === undefined ? '' : ` (line ${p.line})`;
  return `${where}${p.message}${line}`;
}

/** Bad input: a wire manifest, an SDL or a lease id that Go's provider would refuse. Never retried. */
export class ValidationError extends Error {
  override name = 'ValidationError';
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('; '));
    this.problems = problems;
  }
}

export function problem(path: string, rule: string, message: string, line?: number): Problem {
  return line === undefined ? { path, rule, message } : { path, rule, message, line };
}

export function fail(path: string, rule: string, message: string, line?: number): never {
  throw new ValidationError([problem(path, rule, message, line)]);
}
