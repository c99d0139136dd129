import { createServer } from 'node:net';

export class PortTakenError extends Error {
  override readonly name = 'PortTakenError';
}

function tryListen(port: number, host: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(null);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

export interface PortClaim {
  readonly port: number;
  /** What will listen there, e.g. "Temporal gRPC". */
  readonly purpose: string;
  /** The variable that moves it, e.g. TEMPORAL_PORT. */
  readonly variable: string;
}

/**
 * Fails, naming every taken port, what needed it and the variable that moves it, before anything
 * starts: a server that cannot bind would otherwise die with a message buried in its log.
 */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  const taken: PortClaim[] = [];
  for (const claim of claims) {
    if ((await tryListen(claim.port, '127.0.0.1')) === null) taken.push(claim);
  }
  if (taken.length > 0) {
    const lines = taken.map(
      (c) =>
        `  port ${c.port} (${c.purpose}) is already in use; free it or set ${c.variable}=<another port>`,
    );
    throw new PortTakenError(
      `cannot start the stack:\n${lines.join('\n')}\n` +
        '  (another dev stack may be running: stop it with Ctrl-C in its terminal)',
    );
  }
}

/** A port the OS says is free now (for test servers; there is a small race until it is bound). */
export async function freePort(): Promise<number> {
  const port = await tryListen(0, '127.0.0.1');
  if (port === null) throw new Error('no free port on 127.0.0.1');
  return port;
}
