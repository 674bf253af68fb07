/** What every benchmark script shares: its knobs from the environment, checked. */

/** A number from `process.env[name]`, or `fallback`; a value `valid` refuses names the variable and the rule. */
export function envNumber(name: string, fallback: number, valid: (n: number) => boolean, what: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!valid(n)) throw new Error(`${name} must be ${what}, got '${raw}'`);
  return n;
}
