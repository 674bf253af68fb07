import { describe, expect, it } from 'vitest';
import { imagePullPolicy } from './pod.ts';
import { expose, input, LEASE_ID, NS, statefulResources } from './test-fixtures.ts';
import { buildWorkload } from './workload.ts';

const selector = { 'akash.network': 'true', 'akash.network/namespace': NS, 'akash.network/manifest-service': 'web' };

describe('buildWorkload', () => {
  it('a service without persistent volumes is a Deployment that never exceeds its count', () => {
    const w = buildWorkload(input({ count: 3 }));
    expect(w.kind).toBe('Deployment');
    expect(w.metadata).toMatchObject({ name: 'web', namespace: NS, labels: { ...selector, 'app.kubernetes.io/managed-by': 'akash-operator' } });
    expect(w.spec).toMatchObject({ replicas: 3, selector: { matchLabels: selector }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }, revisionHistoryLimit: 10 });
    expect(w.spec?.template.metadata?.labels).toEqual(selector);
  });

  it('count 0 scales to zero', () => {
    expect(buildWorkload(input({ count: 0 })).spec?.replicas).toBe(0);
  });

  it('a persistent volume makes a StatefulSet with a claim template per persistent volume', () => {
    const w = buildWorkload(input({ resources: statefulResources(), params: { storage: [{ name: 'data', mount: '/var/lib/data', readOnly: false }, { name: 'shm', mount: '/dev/shm', readOnly: false }] } }));
    expect(w.kind).toBe('StatefulSet');
    if (w.kind !== 'StatefulSet') return;
    expect(w.spec).toMatchObject({ serviceName: 'web', revisionHistoryLimit: 1, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } });
    expect(w.spec?.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'web-data', labels: expect.objectContaining(selector) },
        spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '10737418240' } }, storageClassName: 'beta3' },
      },
    ]);
    const pod = w.spec?.template.spec;
    expect(pod?.volumes).toEqual([{ name: 'web-shm', emptyDir: { medium: 'Memory', sizeLimit: '67108864' } }]);
    expect(pod?.containers[0]?.volumeMounts).toEqual([
      { name: 'web-data', mountPath: '/var/lib/data' },
      { name: 'web-shm', mountPath: '/dev/shm' },
    ]);
  });

  it('read-only mounts stay read-only', () => {
    const w = buildWorkload(input({ resources: statefulResources(), params: { storage: [{ name: 'data', mount: '/data', readOnly: true }] } }));
    expect(w.spec?.template.spec?.containers[0]?.volumeMounts).toEqual([{ name: 'web-data', mountPath: '/data', readOnly: true }]);
  });
});

describe('pod template', () => {
  const pod = (over = {}, policy = {}) => buildWorkload(input(over, policy)).spec!.template.spec!;

  it('is hardened by default', () => {
    const p = pod();
    expect(p.automountServiceAccountToken).toBe(false);
    expect(p.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(p.runtimeClassName).toBeUndefined();
    expect(p.affinity).toBeUndefined();
    expect(p.containers[0]?.securityContext).toEqual({
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'] },
    });
  });

  it('takes non-root, capabilities and runtime class from policy', () => {
    const p = pod({}, { runAsNonRoot: true, allowedCapabilities: [], runtimeClassName: 'gvisor' });
    expect(p.securityContext?.runAsNonRoot).toBe(true);
    expect(p.containers[0]?.securityContext?.runAsNonRoot).toBe(true);
    expect(p.containers[0]?.securityContext?.capabilities).toEqual({ drop: ['ALL'] });
    expect(p.runtimeClassName).toBe('gvisor');
    expect(pod({}, { runtimeClassName: 'none' }).runtimeClassName).toBeUndefined();
  });

  it('container: image, command, args, ports, resources', () => {
    const c = pod({ command: ['sh', '-c'], args: ['exec nginx'], expose: [expose(), expose({ port: 53, externalPort: 53, proto: 'UDP' }), expose({ port: 8080, externalPort: 8080, global: false })] }).containers[0]!;
    expect(c).toMatchObject({ name: 'web', image: 'nginx:1.27', imagePullPolicy: 'Always', command: ['sh', '-c'], args: ['exec nginx'] });
    expect(c.ports).toEqual([
      { containerPort: 8080, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
    ]);
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '536870912', 'ephemeral-storage': '1073741824' }, requests: { cpu: '500m', memory: '536870912', 'ephemeral-storage': '1073741824' } });
  });

  it('env: the manifest first, then the AKASH_* variables it did not set', () => {
    const env = pod({ env: ['FOO=bar', 'EMPTY', 'AKASH_OWNER=me', 'EQ=a=b'] }, { clusterPublicHostname: 'provider.example.com' }).containers[0]!.env;
    expect(env).toEqual([
      { name: 'FOO', value: 'bar' },
      { name: 'EMPTY' },
      { name: 'AKASH_OWNER', value: 'me' },
      { name: 'EQ', value: 'a=b' },
      { name: 'AKASH_GROUP_SEQUENCE', value: '1' },
      { name: 'AKASH_DEPLOYMENT_SEQUENCE', value: '6194991' },
      { name: 'AKASH_ORDER_SEQUENCE', value: '1' },
      { name: 'AKASH_PROVIDER', value: LEASE_ID.provider },
      { name: 'AKASH_CLUSTER_PUBLIC_HOSTNAME', value: 'provider.example.com' },
    ]);
  });

  it('pulls with docker-creds-<svc> when the service has credentials, else the provider-wide secret', () => {
    expect(pod({ credentialsSecretRef: { namespace: 'akash-operator', name: 'creds-web' } }, { imagePullSecretName: 'provider-pull' }).imagePullSecrets).toEqual([{ name: 'docker-creds-web' }]);
    expect(pod({}, { imagePullSecretName: 'provider-pull' }).imagePullSecrets).toEqual([{ name: 'provider-pull' }]);
    expect(pod().imagePullSecrets).toBeUndefined();
  });

  it('node affinity to Akash-labelled nodes when the provider requires it, one term per GPU model', () => {
    const resources = { ...statefulResources(), gpu: { units: { val: '1' }, attributes: [{ key: 'vendor/nvidia/model/a100/ram/80Gi', value: 'true' }, { key: 'vendor/nvidia/model/h100', value: 'true' }] } };
    const terms = pod({ resources }, { requireAkashNodeLabels: true }).affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    const base = [
      { key: 'akash.network', operator: 'In', values: ['true'] },
      { key: 'akash.network/capabilities.storage.class.beta3', operator: 'Gt', values: ['0'] },
    ];
    expect(terms).toEqual([
      {
        matchExpressions: [
          ...base,
          { key: 'akash.network/capabilities.gpu.vendor.nvidia.model.a100', operator: 'Gt', values: ['0'] },
          { key: 'akash.network/capabilities.gpu.vendor.nvidia.model.a100.ram.80Gi', operator: 'Gt', values: ['0'] },
        ],
      },
      { matchExpressions: [...base, { key: 'akash.network/capabilities.gpu.vendor.nvidia.model.h100', operator: 'Gt', values: ['0'] }] },
    ]);
  });
});

describe('imagePullPolicy', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:1.27', 'Always'],
    ['ghcr.io/acme/app:latest', 'Always'],
    [`ghcr.io/acme/app@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
    [`ghcr.io/acme/app:1.2@sha256:${'0'.repeat(64)}`, 'IfNotPresent'],
    ['ghcr.io/acme/app@sha256:short', 'Always'],
  ])('%s → %s', (image, want) => {
    expect(imagePullPolicy(image)).toBe(want);
  });
});
