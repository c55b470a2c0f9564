#!/usr/bin/env node
/**
 * `npm run demo`: the control plane (same flags as `opamp-server`) plus a
 * simulated fleet of `OPAMP_DEMO_AGENTS` (default 50) agents and demo
 * configurations, so a newcomer sees a live fleet at once.
 */
import { join } from "node:path";
import { parseCli } from "./config.js";
import { seedDemoConfigurations, startDemoFleet } from "./demo-fleet.js";
import { start } from "./start.js";

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.kind === "help") {
    process.stdout.write(cli.text);
    return 0;
  }
  const handle = await start(cli.config);
  await seedDemoConfigurations(handle.apiUrl, handle.adminToken);
  const count = Number(process.env.OPAMP_DEMO_AGENTS ?? "50");
  const fleet = await startDemoFleet({
    count: Number.isInteger(count) && count >= 0 ? count : 50,
    opampUrl: handle.opampUrl,
    opampHttpUrl: handle.opampHttpUrl,
    stateDir: join(cli.config.dataDir, "demo-agents"),
  });
  process.stdout.write(
    [
      `opamp-server demo: ${count} simulated agents connected`,
      `  Web UI:      ${handle.uiUrl}`,
      `  REST API:    ${handle.apiUrl}  (try: curl -H "Authorization: Bearer $(cat ${handle.adminTokenFile ?? "<token>"})" ${handle.apiUrl}/agents)`,
      `  OpAMP:       ${handle.opampUrl}`,
      handle.adminTokenFile !== undefined
        ? `  Admin token: in ${handle.adminTokenFile}`
        : "  Admin token: as configured",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await fleet.stop();
  await handle.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `opamp-server demo: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
