import { describe, expect, it } from 'vitest';
import type { TenantRole, TenantRoleBinding } from '../api/tenant-rbac.ts';
import { authorize, type AccessRequest } from './authorize.ts';

const OWNER = 'akash1angnwmnsv5vkp4jpgkdcunar8efpvennxwwcev';
const BOT = 'akash1nxq8gmsw2vlz3m68qvyvcf3kh6q269ajvqw6y0';
const OTHER = 'akash1q7spv2cw06yszgfp4f9ed59lkka6ytn8g4tkjf';
const NOW = new Date('2026-11-25T12:00:00Z');

const role = (name: string, rules: TenantRole['spec']['rules']) => ({ metadata: { name }, spec: { rules } });
const binding = (name: string, roleName: string, subjects: string[], expiresAt?: string) => ({
  metadata: { name },
  spec: { roleRef: { name: roleName }, subjects: subjects.map((address) => ({ kind: 'AkashAccount' as const, address })), ...(expiresAt ? { expiresAt } : {}) },
});

const roles = [role('autoscaler', [{ actions: ['scale'], services: ['worker'], replicas: { min: 1, max: 3 } }, { actions: ['status', 'logs'] }])];
const bindings: Pick<TenantRoleBinding, 'metadata' | 'spec'>[] = [binding('bot', 'autoscaler', [BOT], '2026-12-01T00:00:00Z')];
const ask = (over: Partial<AccessRequest>) => authorize({ subject: BOT, owner: OWNER, action: 'status', ...over }, roles, bindings, NOW);

describe('tenant RBAC', () => {
  it.each([
    ['scale worker to 1', { action: 'scale', service: 'worker', replicas: 1, leasedReplicas: 4 }, true, 'granted by bot/autoscaler#0'],
    ['scale worker to 3', { action: 'scale', service: 'worker', replicas: 3, leasedReplicas: 4 }, true, 'granted by bot/autoscaler#0'],
    ['scale worker to 4', { action: 'scale', service: 'worker', replicas: 4, leasedReplicas: 4 }, false, 'allows scale to 1..3, not 4'],
    ['scale worker to 0', { action: 'scale', service: 'worker', replicas: 0, leasedReplicas: 4 }, false, 'allows scale to 1..3, not 0'],
    ['scale another service', { action: 'scale', service: 'web', replicas: 2, leasedReplicas: 4 }, false, 'no TenantRoleBinding grants it'],
    ['update (send a manifest)', { action: 'update' }, false, 'update: no TenantRoleBinding grants it'],
    ['status (any service)', { action: 'status', service: 'web' }, true, 'granted by bot/autoscaler#1'],
    ['logs', { action: 'logs' }, true, 'granted by bot/autoscaler#1'],
    ['restart', { action: 'restart', service: 'worker' }, false, 'no TenantRoleBinding'],
  ] as [string, Partial<AccessRequest>, boolean, string][])('%s', (_name, req, allowed, reason) => {
    const d = ask(req);
    expect(d.allowed).toBe(allowed);
    expect(d.reason).toContain(reason);
  });

  it('denies everything to an account without a binding, and after the binding expired', () => {
    expect(authorize({ subject: OTHER, owner: OWNER, action: 'status' }, roles, bindings, NOW).allowed).toBe(false);
    const late = authorize({ subject: BOT, owner: OWNER, action: 'status' }, roles, bindings, new Date('2026-12-01T00:00:00Z'));
    expect(late).toEqual({ allowed: false, reason: 'status: denied (binding bot expired at 2026-12-01T00:00:00Z)' });
  });

  it('grants nothing through a binding to a missing role', () => {
    const d = authorize({ subject: BOT, owner: OWNER, action: 'status' }, [], bindings, NOW);
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain('names TenantRole autoscaler, which does not exist');
  });

  it('lets the owner do anything, but nobody scale above the leased count', () => {
    expect(authorize({ subject: OWNER, owner: OWNER, action: 'update' }, [], [], NOW).allowed).toBe(true);
    const d = authorize({ subject: OWNER, owner: OWNER, action: 'scale', service: 'worker', replicas: 5, leasedReplicas: 4 }, [], [], NOW);
    expect(d).toEqual({ allowed: false, reason: 'scale: 5 replicas is more than the 4 leased for worker' });
    expect(authorize({ subject: OWNER, owner: OWNER, action: 'scale', service: 'worker', replicas: -1 }, [], [], NOW).allowed).toBe(false);
  });

  it('adds rules up: a second binding can grant what the first does not', () => {
    const more = [...bindings, binding('ops', 'restarter', [BOT])];
    const d = authorize({ subject: BOT, owner: OWNER, action: 'restart', service: 'worker' }, [...roles, role('restarter', [{ actions: ['restart'] }])], more, NOW);
    expect(d).toMatchObject({ allowed: true, grant: 'ops/restarter#0' });
  });
});
