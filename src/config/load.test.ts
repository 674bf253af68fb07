import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, splitAddr } from './load.ts';

function file(text: string): string {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'config.yaml');
  fs.writeFileSync(p, text);
  return p;
}

describe('loadConfig', () => {
  it('fills defaults', () => {
    const c = loadConfig([], {});
    expect(c).toMatchObject({ namespace: 'akash-operator', metricsAddr: '127.0.0.1:8080', concurrency: 4, resyncSeconds: 600, logLevel: 'info' });
    expect(c.resolvedPolicy.podSecurityLevel).toBe('baseline');
  });

  it('takes flags over environment over file', () => {
    const f = file('namespace: from-file\nconcurrency: 2\nlogLevel: warn\npolicy:\n  podSecurityLevel: restricted\n  runAsNonRoot: true\n  allowedCapabilities: [NET_BIND_SERVICE]\n');
    const c = loadConfig(['--config', f, '--concurrency=8'], { POD_NAMESPACE: 'from-env', AKASH_OPERATOR_LOG_LEVEL: 'debug' });
    expect(c.namespace).toBe('from-env');
    expect(c.concurrency).toBe(8);
    expect(c.logLevel).toBe('debug');
    expect(c.resolvedPolicy.podSecurityLevel).toBe('restricted');
  });

  it('names the field, the source and the rule', () => {
    expect(() => loadConfig(['--concurrency', '0'], {})).toThrow(/concurrency \(flag --concurrency\): Expected integer to be greater or equal to 1, got 0/);
    const f = file('resyncSeconds: 5\n');
    expect(() => loadConfig(['--config', f], {})).toThrow(new RegExp(`resyncSeconds \\(config file ${f}\\)`));
    expect(() => loadConfig(['--bogus', 'x'], {})).toThrow(/unknown flag --bogus/);
    expect(() => loadConfig(['--config', file('nope: 1\n')], {})).toThrow(ConfigError);
  });

  it('refuses an invalid policy with the field named', () => {
    const f = file('policy:\n  allowedCapabilities: [SYS_ADMIN]\n');
    expect(() => loadConfig(['--config', f], {})).toThrow(/policy\.allowedCapabilities\[0\]: "SYS_ADMIN" may not be added/);
  });

  it('refuses a YAML alias bomb before expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(() => loadConfig(['--config', file(bomb)], {})).toThrow(/not valid YAML: Excessive alias count/);
  });

  it('defaults to leader election with client-go timings, and takes its settings from file, environment and flags', () => {
    expect(loadConfig([], {}).leaderElection).toEqual({ enabled: true, leaseName: 'akash-operator', namespace: '', leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 });
    const f = file('leaderElection:\n  leaseName: from-file\n  retryPeriodSeconds: 3\n');
    const c = loadConfig(['--config', f, '--leader-elect-renew-deadline=8', '--leader-elect-namespace', 'ops'], { AKASH_OPERATOR_LEADER_ELECT: 'false' });
    expect(c.leaderElection).toEqual({ enabled: false, leaseName: 'from-file', namespace: 'ops', leaseDurationSeconds: 15, renewDeadlineSeconds: 8, retryPeriodSeconds: 3 });
    expect(loadConfig(['--leader-elect=false'], { AKASH_OPERATOR_LEADER_ELECT: 'true' }).leaderElection.enabled).toBe(false);
  });

  it('refuses leader-election timings that cannot work, naming field and source', () => {
    expect(() => loadConfig(['--leader-elect-lease-duration', '10'], {})).toThrow(/leaderElection\.leaseDurationSeconds \(flag --leader-elect-lease-duration\): must be greater than renewDeadlineSeconds \(10\), got 10/);
    const f = file('leaderElection:\n  retryPeriodSeconds: 9\n');
    expect(() => loadConfig(['--config', f], {})).toThrow(/leaderElection\.renewDeadlineSeconds \(config file .*\): must be greater than retryPeriodSeconds × 1.2/);
    expect(() => loadConfig(['--leader-elect', 'yes'], {})).toThrow(/leaderElection\.enabled \(flag --leader-elect\): Expected boolean, got "yes"/);
    expect(() => loadConfig(['--config', file('leaderElection:\n  bogus: 1\n')], {})).toThrow(/leaderElection/);
  });

  it('splits listen addresses', () => {
    expect(splitAddr('127.0.0.1:9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(splitAddr(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
  });
});
