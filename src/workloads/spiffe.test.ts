import { describe, expect, it } from 'vitest';
import { buildLimitRange, buildResourceQuota, podOverhead } from './quota.ts';
import { resolveProviderPolicy } from './policy.ts';
import { SPIFFE_ENDPOINT_SOCKET_ENV, SVID_MOUNT_PATH, WORKLOAD_API_ADDRESS, WORKLOAD_API_DIR } from './spiffe.ts';
import { input, LEASE_ID } from './test-fixtures.ts';
import { buildWorkload } from './workload.ts';

const on = { spiffe: { enabled: true, agentImage: 'registry.example/akash-operator:1.2.3' } };

function podSpec(identity: boolean, policy = on) {
  const w = buildWorkload(input(identity ? { identity: { spiffe: true } } : {}, policy));
  return w.spec!.template.spec!;
}

describe('SPIFFE identity in the pod template', () => {
  it('adds the agent as a native sidecar that sees only this pod’s Secret', () => {
    const spec = podSpec(true);
    const agent = spec.initContainers?.[0];
    expect(agent).toMatchObject({
      name: 'spiffe-agent',
      image: 'registry.example/akash-operator:1.2.3',
      restartPolicy: 'Always',
      args: ['spiffe-agent', '--dir', SVID_MOUNT_PATH, '--socket', `${WORKLOAD_API_DIR}/agent.sock`],
      securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    });
    expect(agent?.resources?.limits).toEqual(agent?.resources?.requests);
    const volumes = spec.volumes ?? [];
    expect(volumes.find((v) => v.name === 'spiffe-svid')?.secret?.secretName).toBe('web-svid');
    expect(volumes.find((v) => v.name === 'spiffe-workload-api')?.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
    // No host path, ever.
    expect(JSON.stringify(spec)).not.toMatch(/hostPath|hostNetwork|hostPID|hostIPC/);
  });

  it('mounts the SVID and the socket read-only in the app and points SPIFFE_ENDPOINT_SOCKET at it', () => {
    const app = podSpec(true).containers[0]!;
    expect(app.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'spiffe-svid', mountPath: SVID_MOUNT_PATH, readOnly: true },
        { name: 'spiffe-workload-api', mountPath: WORKLOAD_API_DIR, readOnly: true },
      ]),
    );
    expect(app.env).toContainEqual({ name: SPIFFE_ENDPOINT_SOCKET_ENV, value: WORKLOAD_API_ADDRESS });
  });

  it('keeps a SPIFFE_ENDPOINT_SOCKET the tenant set', () => {
    const w = buildWorkload(input({ identity: { spiffe: true }, env: ['SPIFFE_ENDPOINT_SOCKET=unix:///tmp/x.sock'] }, on));
    const env = w.spec!.template.spec!.containers[0]!.env!.filter((e) => e.name === SPIFFE_ENDPOINT_SOCKET_ENV);
    expect(env).toEqual([{ name: SPIFFE_ENDPOINT_SOCKET_ENV, value: 'unix:///tmp/x.sock' }]);
  });

  it('adds nothing when the service has no identity or the provider turned identity off', () => {
    for (const spec of [podSpec(false), podSpec(true, { spiffe: { enabled: false, agentImage: 'x' } })]) {
      expect(spec.initContainers).toBeUndefined();
      expect(JSON.stringify(spec)).not.toContain('spiffe');
    }
  });
});

describe('quota with the sidecar', () => {
  const web = { name: 'web', count: 2, resources: input().service.spec.resources };
  it('grows by the agent’s resources per pod, so the tenant keeps all it leased', () => {
    const overhead = podOverhead(resolveProviderPolicy(on));
    const without = buildResourceQuota(LEASE_ID, [web]).spec!.hard!;
    const withAgent = buildResourceQuota(LEASE_ID, [web], overhead).spec!.hard!;
    expect(without['limits.cpu']).toBe('1');
    expect(withAgent['limits.cpu']).toBe('1040m');
    expect(Number(withAgent['limits.memory']) - Number(without['limits.memory'])).toBe(2 * 128 * 1024 * 1024);
    expect(withAgent.pods).toBe(without.pods);
  });

  it('admits the sidecar in the LimitRange even when every service is smaller', () => {
    const tiny = { ...web, resources: { ...web.resources, memory: { size: { val: '16777216' } } } };
    const overhead = podOverhead(resolveProviderPolicy(on))!;
    const max = buildLimitRange(LEASE_ID, [tiny], overhead).spec!.limits[0]!.max!;
    expect(BigInt(max.memory!)).toBe(overhead.memoryBytes);
    expect(podOverhead(resolveProviderPolicy())).toBeUndefined();
  });
});
