/**
 * When to rotate: SVIDs at half-life with ±10 % jitter (SPIRE pkg/common/rotationutil) so a fleet
 * issued together does not come back together; CAs through SPIRE's prepare/activate slots
 * (pkg/server/ca/manager), extended with the rule for dropping a retired CA from the bundle.
 *
 * Everything is a pure function of its inputs: the controller keeps the CA set in a Secret, asks
 * caPlan what to do, applies the actions (applyCaAction) and plans again until nothing is left.
 */
import { X509Certificate } from 'node:crypto';
import { fail } from './errors.ts';

const DAY_MS = 86_400_000;

/**
 * The moment to renew an SVID valid from `notBefore` to `notAfter`: when its remaining time falls to
 * half its life ± 10 %. `random` is a uniform draw in [0, 1) (e.g. Math.random()), passed in so the
 * function stays deterministic under test.
 */
export function rotateAt(notBefore: Date, notAfter: Date, random: number): Date {
  if (!(random >= 0 && random < 1)) fail('random', 'random-range', `must be in [0, 1), got ${random}`);
  const life = notAfter.getTime() - notBefore.getTime();
  if (!(life > 0)) fail('notAfter', 'validity-order', `must be after notBefore, got ${notBefore.toISOString()} .. ${notAfter.toISOString()}`);
  const half = life / 2;
  const jitter = (random * 2 - 1) * 0.1 * half;
  return new Date(Math.round(notAfter.getTime() - (half + jitter)));
}

// --- CA rotation ----------------------------------------------------------------------------------

export interface CaEntry {
  /** stable identity of this CA (e.g. its serial in hex) */
  id: string;
  /** DER certificate, published in the bundle */
  cert: Buffer;
  notBefore: Date;
  notAfter: Date;
}

export interface RetiredCa extends CaEntry {
  /** when its successor was activated: it signed nothing after this */
  retiredAt: Date;
}

export interface CaSet {
  /** the CA that signs; absent only before the first one exists */
  active?: CaEntry;
  /** prepared, published in the bundle, not yet signing */
  next?: CaEntry;
  /** no longer signing, still published while SVIDs it signed may be in use */
  retired: RetiredCa[];
}

export type CaAction =
  /** create a new CA (full lifetime from now) and store it as `next` */
  | { kind: 'prepare' }
  /** `next` starts signing; the active CA moves to `retired` with retiredAt = now */
  | { kind: 'activate'; id: string }
  /** remove a retired CA (every SVID it signed has expired) or a `next` that expired unused */
  | { kind: 'drop'; id: string; reason: 'drained' | 'expired' };

export interface CaPlanResult {
  /** apply in order, then plan again */
  actions: CaAction[];
  /** the CA certificates to publish once the drops are applied: active, next, then retired (newest first) */
  bundle: Buffer[];
  /** the next instant at which the plan changes, if no action is due before it (for requeueing) */
  wakeAt?: Date;
}

/** SPIRE's slot schedule for a CA: prepare the successor at notAfter − min(life/2, 30 d), activate it at notAfter − min(life/6, 7 d). */
export function caSchedule(ca: CaEntry): { prepareAt: Date; activateAt: Date } {
  const life = ca.notAfter.getTime() - ca.notBefore.getTime();
  if (!(life > 0)) fail(`ca ${ca.id}`, 'validity-order', 'notAfter must be after notBefore');
  return {
    prepareAt: new Date(ca.notAfter.getTime() - Math.min(life / 2, 30 * DAY_MS)),
    activateAt: new Date(ca.notAfter.getTime() - Math.min(life / 6, 7 * DAY_MS)),
  };
}

/**
 * A retired CA stays in the bundle until every SVID it signed has expired: it signed nothing after
 * retiredAt and no SVID lives longer than maxSvidTtl, nor past the CA's own notAfter.
 */
export const drainedAt = (ca: RetiredCa, maxSvidTtlSeconds: number): Date => new Date(Math.min(ca.retiredAt.getTime() + maxSvidTtlSeconds * 1000, ca.notAfter.getTime()));

export function caPlan(cas: CaSet, now: Date, maxSvidTtlSeconds: number): CaPlanResult {
  if (!Number.isFinite(maxSvidTtlSeconds) || maxSvidTtlSeconds <= 0) fail('maxSvidTtlSeconds', 'ttl', `must be positive, got ${maxSvidTtlSeconds}`);
  const actions: CaAction[] = [];
  const wakes: Date[] = [];
  const t = now.getTime();

  const keptRetired = cas.retired.filter((r) => {
    const at = drainedAt(r, maxSvidTtlSeconds);
    if (t >= at.getTime()) actions.push({ kind: 'drop', id: r.id, reason: 'drained' });
    else wakes.push(at);
    return t < at.getTime();
  });

  let next = cas.next;
  if (next !== undefined && t >= next.notAfter.getTime()) {
    actions.push({ kind: 'drop', id: next.id, reason: 'expired' });
    next = undefined;
  }
  const active = cas.active;
  if (active === undefined || t >= active.notAfter.getTime()) {
    // nothing valid signs: activate what is prepared, or prepare something now
    actions.push(next !== undefined ? { kind: 'activate', id: next.id } : { kind: 'prepare' });
  } else {
    const { prepareAt, activateAt } = caSchedule(active);
    if (next !== undefined) {
      if (t >= activateAt.getTime()) actions.push({ kind: 'activate', id: next.id });
      else wakes.push(activateAt);
    } else if (t >= prepareAt.getTime()) actions.push({ kind: 'prepare' });
    else wakes.push(prepareAt);
  }

  const bundle = [active, next, ...[...keptRetired].sort((a, b) => b.retiredAt.getTime() - a.retiredAt.getTime())]
    .filter((c): c is CaEntry => c !== undefined && t < c.notAfter.getTime())
    .map((c) => c.cert);
  const wakeAt = actions.length === 0 && wakes.length > 0 ? new Date(Math.min(...wakes.map((w) => w.getTime()))) : undefined;
  return wakeAt === undefined ? { actions, bundle } : { actions, bundle, wakeAt };
}

/** Applies one action; `prepared` is the CA the caller created for a 'prepare'. */
export function applyCaAction(cas: CaSet, action: CaAction, now: Date, prepared?: CaEntry): CaSet {
  switch (action.kind) {
    case 'prepare':
      if (prepared === undefined) fail('prepared', 'missing', "a 'prepare' action needs the newly created CA");
      if (cas.next !== undefined) fail('next', 'occupied', `a next CA (${cas.next.id}) is already prepared`);
      return { ...cas, next: prepared };
    case 'activate': {
      if (cas.next?.id !== action.id) fail('next', 'not-prepared', `CA ${action.id} is not the prepared next CA`);
      const retired = cas.active === undefined ? cas.retired : [...cas.retired, { ...cas.active, retiredAt: now }];
      return { active: cas.next, retired };
    }
    case 'drop':
      if (cas.next?.id === action.id) {
        const { next: _dropped, ...rest } = cas;
        return rest;
      }
      if (!cas.retired.some((r) => r.id === action.id)) fail('retired', 'unknown-ca', `no retired CA ${action.id} to drop`);
      return { ...cas, retired: cas.retired.filter((r) => r.id !== action.id) };
  }
}

/** A CaEntry for a DER certificate: id = serial (hex), validity from the certificate. */
export function caEntry(certDer: Buffer): CaEntry {
  const x = new X509Certificate(certDer);
  return { id: x.serialNumber.toLowerCase(), cert: certDer, notBefore: x.validFromDate, notAfter: x.validToDate };
}
