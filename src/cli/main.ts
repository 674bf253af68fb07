#!/usr/bin/env node
/** The `akash-operator` command line. The only place that wires the parts together. */
import { readFileSync } from 'node:fs';
import { describeFailure } from '../../e2e/harness/errors.ts';
import { akashUsage, leaseCommand, manifestCommand, sdlCommand } from './commands/akash.ts';
import { printCrds } from './commands/crds.ts';
import { runCommand } from './commands/run.ts';
import { devDown, devEnv, devServe, devUp } from './dev.ts';
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
${akashUsage}
`;

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const [cmd, sub] = argv;
  switch (cmd) {
    case 'dev':
      switch (sub) {
        case 'up':
          return devUp(out);
        case 'down':
          return devDown(out);
        case 'env':
          return devEnv(out);
        case 'serve':
          return devServe();
        default:
          throw new CliError(`dev: unknown subcommand '${sub ?? ''}' (up, down or env)\n${usage}`, 2);
      }
    case 'run':
      return runCommand(argv.slice(1));
    case 'crds':
      return printCrds(out);
    case 'sdl':
      return sdlCommand(argv.slice(1), out);
    case 'manifest':
      return manifestCommand(argv.slice(1), out);
    case 'lease':
      return leaseCommand(argv.slice(1), out);
    case 'version': {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      out.write(`${pkg.version}\n`);
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

if (import.meta.main) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    // A CliError or a harness fault is one sentence for the user; anything else is a bug: keep its stack.
    process.stderr.write(`akash-operator: ${err instanceof CliError ? err.message : describeFailure(err)}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  });
}
