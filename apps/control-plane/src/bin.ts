#!/usr/bin/env node
/**
 * `opamp-server`: parses flags, environment and config file, starts the
 * control plane, prints where everything is, and shuts down cleanly on
 * SIGTERM/SIGINT (exit 0).
 */
import { parseCli } from "./config.js";
import { ControlPlaneError } from "./errors.js";
import { start } from "./start.js";

async function main(): Promise<number> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ControlPlaneError) {
      process.stderr.write(
        `opamp-server: ${error.message}\nRun opamp-server --help for the flags.\n`,
      );
      return 2;
    }
    throw error;
  }
  if (cli.kind === "help") {
    process.stdout.write(cli.text);
    return 0;
  }
  const handle = await start(cli.config);
  process.stdout.write(
    [
      "opamp-server is running",
      `  OpAMP endpoint: ${handle.opampUrl} (plain HTTP: ${handle.opampHttpUrl})`,
      `  REST API:       ${handle.apiUrl} (OpenAPI: ${handle.apiUrl}/openapi.json)`,
      `  Web UI:         ${handle.uiUrl}`,
      `  Storage:        ${handle.storageKind === "postgres" ? "PostgreSQL" : `SQLite in ${cli.config.dataDir}`}`,
      handle.adminTokenFile !== undefined
        ? `  Admin token:    in ${handle.adminTokenFile} (send it as Authorization: Bearer <token>)`
        : "  Admin token:    as configured (--admin-token / OPAMP_ADMIN_TOKEN)",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await handle.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `opamp-server: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (error instanceof Error && error.cause !== undefined)
      process.stderr.write(`  cause: ${String(error.cause)}\n`);
    process.exit(1);
  },
);
