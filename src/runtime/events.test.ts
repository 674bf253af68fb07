import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubeClient } from './client.ts';
import { EventRecorder, microTime } from './events.ts';
import { FakeTransport, json, statusBody } from './fake-transport.ts';
import type { KubeObject } from './resource.ts';

const lease: KubeObject = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'l1', uid: 'u1', resourceVersion: '3' } };
const svc: KubeObject = { apiVersion: 'example.com/v1', kind: 'Part', metadata: { name: 'web', namespace: 'ns1', uid: 'u2' } };

describe('EventRecorder', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-04T05:06:07.890Z'));
  });
  afterEach(() => vi.useRealTimers());

  function setup() {
    const transport = new FakeTransport().on((req) => (req.method === 'GET' ? undefined : json(201, {})));
    const rec = new EventRecorder({ client: new KubeClient(transport, { fieldManager: 'op' }), reportingController: 'example.com/operator', reportingInstance: 'pod-0', flushIntervalMs: 30_000 });
    return { transport, rec };
  }

  it('creates an events.k8s.io/v1 Event with MicroTime and the object reference', async () => {
    const { transport, rec } = setup();
    rec.record(svc, { type: 'Warning', reason: 'InvalidManifest', action: 'Apply', note: 'expose[0].port: must be 1..65535, got 0' });
    await vi.advanceTimersByTimeAsync(0);
    const req = transport.requests[0];
    expect(req).toMatchObject({ method: 'POST', path: '/apis/events.k8s.io/v1/namespaces/ns1/events', contentType: 'application/json' });
    const body = JSON.parse(req?.body ?? '');
    expect(body).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      eventTime: '2026-03-04T05:06:07.890000Z',
      reportingController: 'example.com/operator',
      reportingInstance: 'pod-0',
      type: 'Warning',
      reason: 'InvalidManifest',
      action: 'Apply',
      regarding: { apiVersion: 'example.com/v1', kind: 'Part', name: 'web', namespace: 'ns1', uid: 'u2' },
    });
    expect(body.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    await rec.close();
  });

  it('puts events about cluster-scoped objects in the default namespace', async () => {
    const { transport, rec } = setup();
    rec.record(lease, { type: 'Normal', reason: 'Deployed', action: 'Apply' });
    await rec.close();
    expect(transport.requests[0]?.path).toBe('/apis/events.k8s.io/v1/namespaces/default/events');
  });

  it('aggregates repeats into a series: patched on the 2nd occurrence, then once per flush', async () => {
    const { transport, rec } = setup();
    const fail = (i: number) => rec.record(lease, { type: 'Warning', reason: 'Failed', action: 'Apply', note: `attempt ${i}` });
    fail(0);
    fail(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
    expect(JSON.parse(transport.requests[1]?.body ?? '')).toEqual({ series: { count: 2, lastObservedTime: microTime(new Date()) } });
    for (let i = 2; i < 5; i++) fail(i);
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.requests).toHaveLength(2); // later repeats wait for the flush
    await vi.advanceTimersByTimeAsync(30_000);
    expect(transport.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH']);
    expect(JSON.parse(transport.requests[2]?.body ?? '').series.count).toBe(5);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(transport.requests).toHaveLength(3); // nothing new: no write
    rec.record(lease, { type: 'Normal', reason: 'Deployed', action: 'Apply' }); // another reason: its own event
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'PATCH', 'POST']);
    await rec.close();
  });

  it('starts a new event once the series window has passed', async () => {
    const { transport, rec } = setup();
    rec.record(lease, { type: 'Normal', reason: 'Deployed', action: 'Apply' });
    await vi.advanceTimersByTimeAsync(7 * 60_000);
    rec.record(lease, { type: 'Normal', reason: 'Deployed', action: 'Apply' });
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    await rec.close();
  });

  it('never throws or rejects when the API refuses the event', async () => {
    const transport = new FakeTransport().on(() => json(403, statusBody(403, 'Forbidden')));
    const rec = new EventRecorder({ client: new KubeClient(transport, { fieldManager: 'op' }), reportingController: 'c', reportingInstance: 'i' });
    expect(() => rec.record(lease, { type: 'Normal', reason: 'Deployed', action: 'Apply' })).not.toThrow();
    rec.record({ metadata: { name: 'no-kind' } }, { type: 'Normal', reason: 'X', action: 'Y' });
    await rec.close();
    expect(transport.requests).toHaveLength(1);
  });

  it('cuts a long note to 1 kB', async () => {
    const { transport, rec } = setup();
    rec.record(lease, { type: 'Normal', reason: 'Big', action: 'Apply', note: 'é'.repeat(2000) });
    await rec.close();
    const note: string = JSON.parse(transport.requests[0]?.body ?? '').note;
    expect(Buffer.byteLength(note)).toBeLessThanOrEqual(1024);
    expect(note).not.toContain('\uFFFD');
  });
});
