/**
 * Comparisons that decide whether a write is needed at all: a controller that writes only on a real
 * difference issues zero requests on a no-op resync. Values are plain JSON; a property set to
 * `undefined` counts as absent (it is not serialised).
 */

/** Deep equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/**
 * True when every field of `desired` has the same value in `current` (fields only in `current`,
 * such as server defaults, are ignored; arrays must match element by element). Use it to skip an
 * apply whose result would be the live object. Note the server may normalise values (quantities
 * such as `1000m` → `1`): write desired state in the canonical form.
 */
export function containsDesired(current: unknown, desired: unknown): boolean {
  if (desired === undefined) return true;
  if (typeof desired !== 'object' || desired === null) return current === desired;
  if (typeof current !== 'object' || current === null) return false;
  if (Array.isArray(desired)) {
    return Array.isArray(current) && current.length === desired.length && desired.every((v, i) => containsDesired(current[i], v));
  }
  if (Array.isArray(current)) return false;
  const c = current as Record<string, unknown>;
  for (const [k, v] of Object.entries(desired)) if (!containsDesired(c[k], v)) return false;
  return true;
}
