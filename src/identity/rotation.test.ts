import { describe, expect, it } from 'vitest';
import { applyCaAction, caEntry, caPlan, caSchedule, rotateAt, type CaAction, type CaEntry, type CaSet } from './rotation.ts';
import { createSelfSignedCa } from './x509.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H);
const ca = (id: string, fromH: number, lifeH: number): CaEntry => ({ id, cert: Buffer.from(id), notBefore: at(fromH), notAfter: at(fromH + lifeH) });

describe('rotateAt', () => {
  it.each([
    // 1 h SVID: half-life 30 min, jitter ±3 min
    [0, 33 * 60_000],
    [0.5, 30 * 60_000],
    [0.999999, 27 * 60_000],
  ])('random %f → %i ms after notBefore', (r, want) => {
    expect(Math.abs(rotateAt(at(0), at(1), r).getTime() - T0 - want)).toBeLessThan(10);
  });

  it('stays within half-life ± 10 % for any draw', () => {
    for (let i = 0; i <= 100; i++) {
      const t = rotateAt(at(0), at(24), Math.min(i / 100, 0.9999)).getTime() - T0;
      expect(t).toBeGreaterThanOrEqual(10.8 * H - 1);
      expect(t).toBeLessThanOrEqual(13.2 * H);
    }
  });

  it.each([-0.1, 1, NaN])('refuses random %f', (r) => expect(() => rotateAt(at(0), at(1), r)).toThrow(/random: .*rule random-range/));
  it('refuses an empty validity', () => expect(() => rotateAt(at(1), at(1), 0.5)).toThrow(/rule validity-order/));
});

describe('caSchedule', () => {
  it.each([
    // lifetime 24 h: prepare at 12 h, activate at 20 h (24 − 4)
    [24, 12, 20],
    // lifetime 7 d: prepare at 3.5 d, activate at 7 d − 28 h
    [168, 84, 140],
    // lifetime 1 y: the caps apply (30 d before, 7 d before)
    [8760, 8760 - 720, 8760 - 168],
  ])('lifetime %i h → prepare at %f h, activate at %f h', (life, prep, act) => {
    const s = caSchedule(ca('a', 0, life));
    expect([s.prepareAt, s.activateAt]).toEqual([at(prep), at(act)]);
  });
});

describe('caPlan', () => {
  const A = ca('a', 0, 24);
  const B = ca('b', 12, 24);
  const C = ca('c', 0, 24);
  const kinds = (actions: CaAction[]) => actions.map((a) => (a.kind === 'prepare' ? 'prepare' : `${a.kind}:${a.id}`));

  it.each<[string, CaSet, number, string[], string[]]>([
    ['bootstrap', { retired: [] }, 0, ['prepare'], []],
    ['bootstrap, prepared', { next: A, retired: [] }, 0, ['activate:a'], ['a']],
    ['young active', { active: A, retired: [] }, 11.9, [], ['a']],
    ['half-life: prepare', { active: A, retired: [] }, 12, ['prepare'], ['a']],
    ['prepared, waiting', { active: A, next: B, retired: [] }, 19.9, [], ['a', 'b']],
    ['notAfter − life/6: activate', { active: A, next: B, retired: [] }, 20, ['activate:b'], ['a', 'b']],
    ['retired kept while its SVIDs live', { active: B, retired: [{ ...A, retiredAt: at(20) }] }, 20.9, [], ['b', 'a']],
    ['retired dropped after max SVID TTL', { active: B, retired: [{ ...A, retiredAt: at(20) }] }, 21, ['drop:a'], ['b']],
    ['retired dropped at its notAfter if sooner', { active: ca('b2', 20, 24), retired: [{ ...A, retiredAt: at(23.5) }] }, 24, ['drop:a'], ['b2']],
    ['active expired, next ready', { active: A, next: B, retired: [] }, 24, ['activate:b'], ['b']],
    ['active expired, nothing ready', { active: A, retired: [] }, 25, ['prepare'], []],
    ['next expired unused', { active: B, next: C, retired: [] }, 24, ['drop:c', 'prepare'], ['b']],
  ])('%s', (_name, set, hours, actions, bundle) => {
    const plan = caPlan(set, at(hours), 3600);
    expect(kinds(plan.actions)).toEqual(actions);
    expect(plan.bundle.map((b) => b.toString())).toEqual(bundle);
  });

  it('says when to wake up when nothing is due', () => {
    expect(caPlan({ active: A, retired: [] }, at(1), 3600).wakeAt).toEqual(at(12));
    expect(caPlan({ active: A, next: B, retired: [] }, at(13), 3600).wakeAt).toEqual(at(20));
    expect(caPlan({ active: B, retired: [{ ...A, retiredAt: at(20) }] }, at(20.5), 3600).wakeAt).toEqual(at(21));
    expect(caPlan({ active: A, retired: [] }, at(12), 3600).wakeAt).toBeUndefined();
  });

  it('refuses a non-positive max SVID TTL', () => expect(() => caPlan({ retired: [] }, at(0), 0)).toThrow(/maxSvidTtlSeconds: .*rule ttl/));

  it('applyCaAction refuses actions that do not fit the set', () => {
    expect(() => applyCaAction({ retired: [] }, { kind: 'prepare' }, at(0))).toThrow(/rule missing/);
    expect(() => applyCaAction({ next: A, retired: [] }, { kind: 'prepare' }, at(0), B)).toThrow(/rule occupied/);
    expect(() => applyCaAction({ next: A, retired: [] }, { kind: 'activate', id: 'b' }, at(0))).toThrow(/rule not-prepared/);
    expect(() => applyCaAction({ retired: [] }, { kind: 'drop', id: 'x', reason: 'drained' }, at(0))).toThrow(/rule unknown-ca/);
  });

  /**
   * Ten simulated days, one step per minute: CA 24 h, SVIDs 1 h rotated at half-life. At every step
   * every live SVID's CA must be in the published bundle, the active CA must be valid, and a CA
   * must have been published for a while before it signs anything.
   */
  it.each([
    [24, 1],
    [6, 1],
    [24 * 7, 24],
  ])('keeps every live SVID verifiable (CA %i h, SVID %i h)', (caHours, svidHours) => {
    let set: CaSet = { retired: [] };
    let made = 0;
    const publishedAt = new Map<string, number>();
    const svids: { ca: string; notAfter: number }[] = [];
    let rotateAtMs = 0;
    const step = 60_000;
    for (let t = T0; t < T0 + 10 * 24 * H; t += step) {
      const now = new Date(t);
      for (let guard = 0; ; guard++) {
        expect(guard).toBeLessThan(5);
        const plan = caPlan(set, now, svidHours * 3600);
        for (const b of plan.bundle) if (!publishedAt.has(b.toString())) publishedAt.set(b.toString(), t);
        if (plan.actions.length === 0) {
          const bundle = new Set(plan.bundle.map((b) => b.toString()));
          for (const s of svids) if (s.notAfter > t) expect(bundle.has(s.ca)).toBe(true);
          break;
        }
        for (const action of plan.actions) {
          const prepared = action.kind === 'prepare' ? { id: `ca${++made}`, cert: Buffer.from(`ca${made}`), notBefore: now, notAfter: new Date(t + caHours * H) } : undefined;
          if (action.kind === 'activate' && made > 1) expect(t - publishedAt.get(action.id)!).toBeGreaterThanOrEqual((caHours / 3) * H - step);
          set = applyCaAction(set, action, now, prepared);
        }
      }
      const active = set.active!;
      expect(t).toBeLessThan(active.notAfter.getTime());
      if (t >= rotateAtMs) {
        const notAfter = Math.min(t + svidHours * H, active.notAfter.getTime());
        svids.push({ ca: active.id, notAfter });
        rotateAtMs = rotateAt(now, new Date(notAfter), 0.5).getTime();
      }
      expect(set.retired.length).toBeLessThanOrEqual(2);
    }
    expect(made).toBeGreaterThanOrEqual(Math.floor((10 * 24) / caHours));
  });

  it('caEntry reads id and validity from a certificate', () => {
    const c = createSelfSignedCa({ trustDomain: 'example.org', notBefore: at(0), notAfter: at(24) });
    const e = caEntry(c.cert);
    expect([e.notBefore, e.notAfter]).toEqual([at(0), at(24)]);
    expect(e.id).toMatch(/^[0-9a-f]+$/);
  });
});
