#!/usr/bin/env node
/** The `akash-operator` command line. The only place that wires the parts together. */
import { operatorVersion } from '../version.ts';
import { spiffeAgentUsage } from '../identity/agent/usage.ts';
import { akashUsage } from './commands/akash-usage.ts';
import { CliError } from './errors.ts';

const usage = `usage: akash-operator <command>

commands:
  run [--kubeconfig F] [--config F] [--namespace NS] [--metrics-addr HOST:PORT] [--log-level L]
               run the operator (in-cluster credentials when no kubeconfig is given)
  dev up       start the local test cluster (etcd, kube-apiserver, controller-manager, scheduler, kwok)
  dev down     stop it
  dev env      print 'export KUBECONFIG=…' for the running dev cluster
  crds         print the CRD YAML (kubectl apply -f -)
  version      print the operator version
${spiffeAgentUsage}
${akashUsage}
`;

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const [cmd, sub] = argv;
  switch (cmd) {
    case 'dev': {
      // Loaded on demand: the dev cluster harness (e2e/harness) is not needed to run the operator,
      // so the container image can leave it out.
      const dev = await loadDev();
      switch (sub) {
        case 'up':
          return dev.devUp(out);
        case 'down':
          return dev.devDown(out);
        case 'env':
          return dev.devEnv(out);
        case 'serve':
          return dev.devServe();
        default:
          throw new CliError(`dev: unknown subcommand '${sub ?? ''}' (up, down or env)\n${usage}`, 2);
      }
    }
    // Each command loads only its own modules: the SPIFFE agent runs as a sidecar in every tenant
    // pod with a small memory limit and must not carry the operator's or the SDL's code.
    case 'run':
      return (await import('./commands/run.ts')).runCommand(argv.slice(1));
    case 'spiffe-agent':
      return (await import('../identity/agent/cli.ts')).spiffeAgentCommand(argv.slice(1));
    case 'crds':
      return (await import('./commands/crds.ts')).printCrds(out);
    case 'sdl':
      return (await import('./commands/akash.ts')).sdlCommand(argv.slice(1), out);
    case 'manifest':
      return (await import('./commands/akash.ts')).manifestCommand(argv.slice(1), out);
    case 'lease':
      return (await import('./commands/akash.ts')).leaseCommand(argv.slice(1), out);
    case 'version': {
      out.write(`${operatorVersion()}\n`);
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.write(usage);
      return;
    default:
      throw new CliError(`unknown command '${cmd}'\n${usage}`, 2);
  }
}

/**
 * The dev cluster harness runs from a checkout (it builds and finds its binaries there); the bundle
 * in dist/, which the image runs, leaves it out (scripts/bundle.ts), so the import fails there.
 */
async function loadDev(): Promise<typeof import('./dev.ts')> {
  try {
    return await import('./dev.ts');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('dev.ts')) {
      throw new CliError('dev: the dev cluster runs from a checkout of akash-operator (bin/akash-operator dev up); this build leaves it out', 2);
    }
    throw err;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    // A CliError or an environment fault of the dev harness (HarnessError) is one sentence for the
    // user; anything else is a bug: keep its stack.
    const sentence = err instanceof CliError || (err instanceof Error && err.name === 'HarnessError');
    process.stderr.write(`akash-operator: ${sentence ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  });
}
