/**
 * The chart in the test cluster: `helm install` into a namespace that enforces Pod Security
 * "restricted", and an operator process that runs as the chart's pods would (the image's compiled
 * JavaScript, the chart's ConfigMap, NODE_OPTIONS and ServiceAccount) but on this machine, since no
 * image can be built or pulled here.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { repoRoot } from '../harness/binaries.ts';
import { kubeconfigYaml } from '../harness/kubeconfig.ts';
import { kubeConfig, runTool } from '../support/cluster.ts';
import { compiledOperatorEntry, startOperatorProcess, type OperatorProcess } from '../support/operator.ts';

export const CHART = path.join(repoRoot, 'charts/akash-operator');
export const GROUP = 'provider.akash.network';
export const VERSION = 'v1alpha1';

export interface Release {
  name: string;
  namespace: string;
  /** `<release>-akash-operator`: ServiceAccount, Role, ConfigMap, Deployment, election Lease. */
  fullname: string;
  /** Name of the ClusterRole and its binding. */
  clusterRole: string;
  /** A kubeconfig that authenticates as the chart's ServiceAccount (TokenRequest API). */
  kubeconfig: string;
  /** The operator configuration file exactly as the chart's ConfigMap holds it. */
  configFile: string;
  /** NODE_OPTIONS of the chart's Deployment. */
  nodeOptions: string;
  /** The V8 flags of the container's command (`node <flags> dist/main.js`). */
  nodeFlags: string[];
}

/** Installs the chart as release `name` in a fresh namespace labelled PSS restricted (enforce). */
export async function installChart(name: string, setValues: string[] = []): Promise<Release> {
  const namespace = `${name}-${randomBytes(3).toString('hex')}`;
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
  // The API server refuses pods that break "restricted": the Deployment only becomes available
  // when the chart's securityContext passes Pod Security admission.
  await core.createNamespace({
    body: { metadata: { name: namespace, labels: { 'e2e.akash-operator/test': 'true', 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } } },
  });
  const sets = setValues.flatMap((v) => ['--set', v]);
  await runTool('helm', ['install', name, CHART, '-n', namespace, '--wait', '--timeout', '90s', ...sets]);
  const fullname = `${name}-akash-operator`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chart-${name}-`));

  const { stdout: token } = await runTool('kubectl', ['create', 'token', fullname, '-n', namespace, '--duration=2h']);
  const admin = kubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster?.caData) throw new Error('the admin kubeconfig has no inline CA (certificate-authority-data)');
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml(fullname, { server: cluster.server, caPem: Buffer.from(cluster.caData, 'base64').toString('utf8'), user: `system:serviceaccount:${namespace}:${fullname}`, token: token.trim() }), { mode: 0o600 });

  const cm = await core.readNamespacedConfigMap({ name: fullname, namespace });
  const configFile = path.join(dir, 'config.yaml');
  fs.writeFileSync(configFile, cm.data?.['config.yaml'] ?? '');
  const apps = kubeConfig().makeApiClient(k8s.AppsV1Api);
  const deployment = await apps.readNamespacedDeployment({ name: fullname, namespace });
  const container = deployment.spec?.template.spec?.containers[0];
  const nodeOptions = container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  return { name, namespace, fullname, clusterRole: `${namespace}-${fullname}`, kubeconfig, configFile, nodeOptions, nodeFlags: nodeFlagsOf(container?.command) };
}

/** The flags between `node` and the image's entry point in the container's command. */
export function nodeFlagsOf(command: string[] | undefined): string[] {
  if (!command || command[0] !== 'node' || command.at(-1) !== 'dist/main.js') {
    throw new Error(`the chart's container command is not \`node [flags] dist/main.js\` (the image's entry point): ${JSON.stringify(command)}`);
  }
  return command.slice(1, -1);
}

export async function uninstallChart(release: Release | undefined): Promise<void> {
  if (!release) return;
  await runTool('helm', ['uninstall', release.name, '-n', release.namespace, '--wait']).catch(() => undefined);
  await kubeConfig().makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: release.namespace }).catch(() => undefined);
}

/**
 * `akash-operator run` with the chart's ServiceAccount, ConfigMap, NODE_OPTIONS and node flags. Only the
 * listen address (loopback) and the namespace (the pod gets it from POD_NAMESPACE) come from flags.
 */
export function startChartOperator(release: Release, podName: string, until: 'ready' | 'live' = 'ready'): Promise<OperatorProcess> {
  return startOperatorProcess({
    until,
    kubeconfig: release.kubeconfig,
    namespace: release.namespace,
    args: ['--config', release.configFile],
    env: { POD_NAME: podName, NODE_OPTIONS: release.nodeOptions },
    entry: compiledOperatorEntry(),
    nodeFlags: release.nodeFlags,
  });
}
