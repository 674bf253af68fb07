/**
 * Errors of the identity module. Each names the field it is about and a short stable rule name,
 * so callers can report it and tests can match on the rule rather than on wording.
 */
export class IdentityError extends Error {
  override name = 'IdentityError';
  readonly field: string;
  readonly rule: string;
  constructor(field: string, rule: string, message: string) {
    super(`${field}: ${message} (rule ${rule})`);
    this.field = field;
    this.rule = rule;
  }
}

export function fail(field: string, rule: string, message: string): never {
  throw new IdentityError(field, rule, message);
}
