import net from 'node:net';
import { HarnessError } from './errors.ts';

/** A port that was free on 127.0.0.1 a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Fails with a clear sentence when something already listens on 127.0.0.1:port. */
export async function assertPortFree(port: number, owner: string): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
  if (inUse) {
    throw new HarnessError(
      `Port 127.0.0.1:${port} for ${owner} is already in use: stop the process holding it (ss -ltnp 'sport = :${port}') or choose another port.`,
    );
  }
}
