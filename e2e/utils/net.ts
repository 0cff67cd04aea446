import { createServer } from 'node:net';

/** A TCP port that is free on 127.0.0.1 right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A GET as a browser makes it: when the server closed the kept-alive socket just as the request went out on it (its
 * keep-alive timeout fired while this process was busy building), the request is sent again on a new connection, as
 * browsers do for idempotent requests. Node's fetch does not retry by itself.
 */
export async function fetchIdempotent(url: string | URL): Promise<Response> {
  try {
    return await fetch(url);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code !== 'UND_ERR_SOCKET' && cause?.code !== 'ECONNRESET') throw error;
    return fetch(url);
  }
}

export async function fetchText(url: string): Promise<{ status: number; body: string }> {
  const response = await fetchIdempotent(url);
  return { status: response.status, body: await response.text() };
}
