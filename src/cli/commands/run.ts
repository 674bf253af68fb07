/** `akash-operator run [--kubeconfig F] [--config F] …`: the operator until SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from '../../config/load.ts';
import { startOperator } from '../../operator.ts';
import { CliError } from '../errors.ts';

export async function runCommand(argv: string[]): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig(argv);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 2);
    throw e;
  }
  const op = await startOperator(cfg);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve());
  });
  await op.stop();
  // Keep-alive sockets of the API client would hold the event loop open a while longer.
  process.exit(0);
}
