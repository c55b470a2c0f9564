import { createServer, type Server } from "node:http";

/**
 * The supervisor's own health endpoint (`healthcheck.endpoint`, as in the Go
 * supervisor): `200` with `{"healthy":true}` while the Collector runs and
 * reports healthy, `503` otherwise. For liveness probes of the whole unit.
 */
export async function startHealthEndpoint(
  endpoint: string,
  healthy: () => boolean,
): Promise<{ readonly port: number; close(): Promise<void> }> {
  const colon = endpoint.lastIndexOf(":");
  const host = endpoint.slice(0, colon) || "127.0.0.1";
  const port = Number(endpoint.slice(colon + 1));
  const server: Server = createServer((_request, response) => {
    const ok = healthy();
    response.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
    response.end(JSON.stringify({ healthy: ok }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
