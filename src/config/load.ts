/**
 * Loads the operator configuration: flags > environment > file > defaults. The file is YAML (or
 * JSON) parsed with alias limits; every problem names its source and field, and nothing starts
 * with a half-valid configuration.
 */
import fs from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { resolveProviderPolicy, type ProviderPolicy, type ProviderPolicyInput } from '../workloads/policy.ts';
import { gatewayConfigProblems } from '../gateway/config.ts';
import { OperatorConfig } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig extends OperatorConfig {
  resolvedPolicy: ProviderPolicy;
}

/** A setting: a top-level key, or `leaderElection.<key>`. */
export type ConfigPath =
  | keyof OperatorConfig
  | `leaderElection.${keyof OperatorConfig['leaderElection']}`
  | `identity.${keyof OperatorConfig['identity']}`
  | `gateway.${keyof OperatorConfig['gateway']}`;

/** Flag name → setting; flags are `--name value` or `--name=value`. */
const FLAGS: Record<string, ConfigPath> = {
  kubeconfig: 'kubeconfig',
  namespace: 'namespace',
  'metrics-addr': 'metricsAddr',
  'field-manager': 'fieldManager',
  concurrency: 'concurrency',
  'resync-seconds': 'resyncSeconds',
  'log-level': 'logLevel',
  // kube-controller-manager's names.
  'leader-elect': 'leaderElection.enabled',
  'leader-elect-lease-name': 'leaderElection.leaseName',
  'leader-elect-namespace': 'leaderElection.namespace',
  'leader-elect-lease-duration': 'leaderElection.leaseDurationSeconds',
  'leader-elect-renew-deadline': 'leaderElection.renewDeadlineSeconds',
  'leader-elect-retry-period': 'leaderElection.retryPeriodSeconds',
  identity: 'identity.enabled',
  'trust-domain': 'identity.trustDomain',
  'svid-ttl-seconds': 'identity.svidTtlSeconds',
  'ca-ttl-seconds': 'identity.caTtlSeconds',
  'spiffe-agent-image': 'identity.agentImage',
  'gateway-addr': 'gateway.addr',
  'gateway-cert-file': 'gateway.certFile',
  'gateway-key-file': 'gateway.keyFile',
  'provider-address': 'gateway.providerAddress',
};

/** Environment variable → setting. POD_NAMESPACE is what the chart's downward API sets. */
const ENV: Record<string, ConfigPath> = {
  AKASH_OPERATOR_KUBECONFIG: 'kubeconfig',
  POD_NAMESPACE: 'namespace',
  AKASH_OPERATOR_NAMESPACE: 'namespace',
  AKASH_OPERATOR_METRICS_ADDR: 'metricsAddr',
  AKASH_OPERATOR_LOG_LEVEL: 'logLevel',
  AKASH_OPERATOR_LEADER_ELECT: 'leaderElection.enabled',
  AKASH_OPERATOR_IDENTITY: 'identity.enabled',
  AKASH_OPERATOR_TRUST_DOMAIN: 'identity.trustDomain',
  AKASH_OPERATOR_SPIFFE_AGENT_IMAGE: 'identity.agentImage',
  AKASH_OPERATOR_GATEWAY_ADDR: 'gateway.addr',
  AKASH_OPERATOR_PROVIDER_ADDRESS: 'gateway.providerAddress',
};

const NUMERIC = new Set<ConfigPath>([
  'concurrency',
  'resyncSeconds',
  'leaderElection.leaseDurationSeconds',
  'leaderElection.renewDeadlineSeconds',
  'leaderElection.retryPeriodSeconds',
  'identity.svidTtlSeconds',
  'identity.caTtlSeconds',
]);
const BOOLEAN = new Set<ConfigPath>(['leaderElection.enabled', 'identity.enabled']);

export function parseFlags(argv: string[]): { configFile?: string; values: Partial<Record<ConfigPath, string>> } {
  const values: Partial<Record<ConfigPath, string>> = {};
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new ConfigError(`unexpected argument '${arg}' (flags are --name value)`);
    const name = m[1]!;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new ConfigError(`flag --${name} needs a value`);
    if (name === 'config') configFile = value;
    else if (FLAGS[name]) values[FLAGS[name]] = value;
    else throw new ConfigError(`unknown flag --${name} (known: --config, ${Object.keys(FLAGS).map((f) => `--${f}`).join(', ')})`);
  }
  return configFile === undefined ? { values } : { configFile, values };
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`config file ${file}: cannot be read (${(e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 50, uniqueKeys: true });
  } catch (e) {
    throw new ConfigError(`config file ${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file}: must be a mapping of settings`);
  return doc as Record<string, unknown>;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const flags = parseFlags(argv);
  const merged: Record<string, unknown> = flags.configFile ? readFile(flags.configFile) : {};
  const source: Record<string, string> = Object.fromEntries(Object.keys(merged).map((k) => [k, `config file ${flags.configFile}`]));
  const set = (key: ConfigPath, raw: string, from: string) => {
    const value = NUMERIC.has(key) && /^-?\d+$/.test(raw) ? Number(raw) : BOOLEAN.has(key) && /^(true|false)$/.test(raw) ? raw === 'true' : raw;
    const [top, sub] = key.split('.') as [string, string | undefined];
    if (sub === undefined) merged[top] = value;
    else {
      const parent = merged[top];
      // A non-object here is the file's mistake; keep it so validation names it.
      if (parent === undefined || (typeof parent === 'object' && parent !== null && !Array.isArray(parent))) merged[top] = { ...(parent as object | undefined), [sub]: value };
    }
    source[key] = from;
  };
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') set(key, env[name]!, `environment ${name}`);
  for (const [key, raw] of Object.entries(flags.values)) set(key as ConfigPath, raw, `flag --${Object.keys(FLAGS).find((f) => FLAGS[f] === key)}`);

  const withDefaults = Value.Default(OperatorConfig, structuredClone(merged));
  const errors = [...Value.Errors(OperatorConfig, withDefaults)];
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const field = e.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
      const from = sourceOf(source, field);
      return `  ${field} (${from}): ${e.message}, got ${JSON.stringify(e.value)}`;
    });
    throw new ConfigError(`configuration is invalid:\n${lines.join('\n')}`);
  }
  const cfg = withDefaults as OperatorConfig;
  checkLeaderElection(cfg.leaderElection, source);
  checkIdentity(cfg.identity, source);
  const gatewayProblems = gatewayConfigProblems(cfg.gateway);
  if (gatewayProblems.length > 0) throw new ConfigError(`configuration is invalid:\n${gatewayProblems.map((p) => `  ${p}`).join('\n')}`);
  let resolvedPolicy: ProviderPolicy;
  try {
    const policy = cfg.policy as ProviderPolicyInput;
    // The identity section decides whether pods get the agent; the policy carries it to the builders.
    resolvedPolicy = resolveProviderPolicy({ ...policy, spiffe: { ...policy.spiffe, enabled: cfg.identity.enabled, agentImage: cfg.identity.agentImage } });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  return { ...cfg, resolvedPolicy };
}

/** Where a field's value came from: the most specific setting that names it, else its top-level key. */
function sourceOf(source: Record<string, string>, field: string): string {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const from = source[parts.slice(0, n).join('.')];
    if (from) return from;
  }
  return 'defaults';
}

/** client-go's rules: leaseDuration > renewDeadline > retryPeriod × 1.2 (the jitter factor). */
function checkLeaderElection(le: OperatorConfig['leaderElection'], source: Record<string, string>): void {
  const problems: string[] = [];
  const field = (k: keyof OperatorConfig['leaderElection']) => `leaderElection.${k} (${sourceOf(source, `leaderElection.${k}`)})`;
  if (!(le.renewDeadlineSeconds > le.retryPeriodSeconds * 1.2)) {
    problems.push(`  ${field('renewDeadlineSeconds')}: must be greater than retryPeriodSeconds × 1.2 (${le.retryPeriodSeconds * 1.2}), got ${le.renewDeadlineSeconds}`);
  }
  if (!(le.leaseDurationSeconds > le.renewDeadlineSeconds)) {
    problems.push(`  ${field('leaseDurationSeconds')}: must be greater than renewDeadlineSeconds (${le.renewDeadlineSeconds}), got ${le.leaseDurationSeconds}`);
  }
  if (problems.length > 0) throw new ConfigError(`configuration is invalid:\n${problems.join('\n')}`);
}

/** Rules the schema cannot say: a CA must outlive the SVIDs it signs; an endpoint needs its certificate. */
function checkIdentity(id: OperatorConfig['identity'], source: Record<string, string>): void {
  const problems: string[] = [];
  const field = (k: string) => `identity.${k} (${sourceOf(source, `identity.${k}`)})`;
  // A CA is activated at 5/6 of its life and must still cover every SVID it signed until then.
  if (id.caTtlSeconds < id.svidTtlSeconds * 6) problems.push(`  ${field('caTtlSeconds')}: must be at least 6 × svidTtlSeconds (${id.svidTtlSeconds * 6}), got ${id.caTtlSeconds}`);
  if (id.bundleEndpoint.addr !== '' && (id.bundleEndpoint.certFile === '' || id.bundleEndpoint.keyFile === '')) {
    problems.push(`  ${field('bundleEndpoint')}: addr is set, so certFile and keyFile must name the endpoint's PEM certificate and key`);
  }
  if (id.trustDomain.split('.').some((l) => l === '')) problems.push(`  ${field('trustDomain')}: must not have empty labels, got ${JSON.stringify(id.trustDomain)}`);
  if (problems.length > 0) throw new ConfigError(`configuration is invalid:\n${problems.join('\n')}`);
}

/** `host:port` → its parts (the schema has checked the shape). */
export function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i) || '0.0.0.0', port: Number(addr.slice(i + 1)) };
}
