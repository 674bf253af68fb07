import { describe, expect, it } from 'vitest';
import { containsDesired, deepEqual } from './compare.ts';
import { findCondition, isConditionTrue, removeCondition, setCondition } from './conditions.ts';

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('setCondition', () => {
  it('adds a condition with observedGeneration and a seconds-precision lastTransitionTime', () => {
    const conds = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Deploying', message: 'waiting for pods', observedGeneration: 3 }, t0);
    expect(conds).toEqual([{ type: 'Ready', status: 'False', reason: 'Deploying', message: 'waiting for pods', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 }]);
  });

  it('keeps lastTransitionTime when the status stays, and moves it when the status flips', () => {
    const a = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Deploying' }, t0);
    const b = setCondition(a, { type: 'Ready', status: 'False', reason: 'ImagePull', message: 'pulling' }, t1);
    expect(findCondition(b, 'Ready')).toMatchObject({ reason: 'ImagePull', lastTransitionTime: '2026-01-01T00:00:00Z' });
    const c = setCondition(b, { type: 'Ready', status: 'True', reason: 'Ready' }, t1);
    expect(findCondition(c, 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    expect(isConditionTrue(c, 'Ready')).toBe(true);
  });

  it('returns an equal array when nothing changed, so no status write is needed', () => {
    const a = setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 1 }, t0);
    const status = { conditions: a, phase: 'Ready' };
    const again = { conditions: setCondition(a, { type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 1 }, t1), phase: 'Ready' };
    expect(deepEqual(status, again)).toBe(true);
    const newerGen = { conditions: setCondition(a, { type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 2 }, t1), phase: 'Ready' };
    expect(deepEqual(status, newerGen)).toBe(false);
  });

  it('never mutates its input and keeps other conditions in order', () => {
    const a = Object.freeze(setCondition(setCondition(undefined, { type: 'A', status: 'True', reason: 'Ok' }, t0), { type: 'B', status: 'True', reason: 'Ok' }, t0));
    const b = setCondition(a, { type: 'A', status: 'False', reason: 'Broken' }, t1);
    expect(a[0]?.status).toBe('True');
    expect(b.map((c) => `${c.type}=${c.status}`)).toEqual(['A=False', 'B=True']);
    expect(removeCondition(b, 'A').map((c) => c.type)).toEqual(['B']);
  });

  it('rejects a reason the API server would refuse, naming it', () => {
    expect(() => setCondition([], { type: 'Ready', status: 'True', reason: 'not ok!' })).toThrow("condition Ready: reason 'not ok!'");
  });
});

describe('compare', () => {
  it('deepEqual treats undefined properties as absent', () => {
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, { x: 2 }] }, { a: [1, { x: 3 }] })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });

  it('containsDesired ignores server-added fields but not changed ones', () => {
    const live = { spec: { replicas: 2, strategy: { type: 'RollingUpdate' }, template: { spec: { containers: [{ name: 'web', image: 'nginx:1', imagePullPolicy: 'Always' }] } } } };
    expect(containsDesired(live, { spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } } })).toBe(true);
    expect(containsDesired(live, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } })).toBe(false);
    expect(containsDesired(live, { spec: { template: { spec: { containers: [] } } } })).toBe(false);
    expect(containsDesired(live, { metadata: { labels: { a: 'b' } } })).toBe(false);
  });
});
