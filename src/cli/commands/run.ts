/**
 * `akash-operator run [--kubeconfig F] [--config F] …`: the operator until SIGTERM/SIGINT (exit 0
 * after a graceful stop), or until it loses leadership (exit 1 at once).
 */
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
  let op;
  try {
    op = await startOperator(cfg);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, 2);
    throw e;
  }
  const fatal = await new Promise<Error | undefined>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve(undefined));
    void op.fatal.then(resolve);
  });
  if (fatal) {
    // Lost leadership: the controllers were told to stop, but another replica may already be
    // writing, so nothing is drained or released; the restarted process joins as a standby.
    op.log.fatal({ err: fatal.message }, 'exiting');
    process.exit(1);
  }
  await op.stop();
  // Keep-alive sockets of the API client would hold the event loop open a while longer.
  process.exit(0);
}
