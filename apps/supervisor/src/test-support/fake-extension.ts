/**
 * A scripted stand-in for a Collector with the opamp extension (unit tests
 * only): answers `featuregate`, reads `--config`, connects to the supervisor's
 * local server with the configured headers, reports description, components
 * and health, declares the custom capability `io.opamp-ts.echo`, sends one
 * `hello` custom message and echoes every custom message it receives.
 */
import { readFileSync } from "node:fs";
import { OpampClient } from "@opamp-ts/client";
import { AgentCapabilities, parseInstanceUid } from "@opamp-ts/protocol";
import { parse } from "yaml";

const args = process.argv.slice(2);
if (args[0] === "featuregate") {
  process.stdout.write("service.AllowNoPipelines  Alpha  false\n");
  process.exit(0);
}
const configPath = args[args.indexOf("--config") + 1]!;
const config = parse(readFileSync(configPath, "utf8")) as {
  extensions: {
    opamp: {
      instance_uid: string;
      server: { ws: { endpoint: string; headers: Record<string, string> } };
    };
  };
};
const opamp = config.extensions.opamp;
const A = AgentCapabilities;
const client = new OpampClient({
  endpoint: opamp.server.ws.endpoint,
  headers: opamp.server.ws.headers,
  instanceUid: parseInstanceUid(opamp.instance_uid),
  capabilities: BigInt(
    A.AgentCapabilities_ReportsHealth | A.AgentCapabilities_ReportsAvailableComponents,
  ),
  agentDescription: {
    identifyingAttributes: { "service.name": "fake-collector", "service.version": "0.0.1" },
    nonIdentifyingAttributes: { "os.type": "linux" },
  },
  availableComponents: { receivers: { metadata: [], subComponentMap: {} } } as never,
  customCapabilities: ["io.opamp-ts.echo"],
});
client.on("customMessage", (message) => {
  void client.sendCustomMessage({
    capability: message.capability,
    type: `echo:${message.type}`,
    data: message.data,
  });
});
client.on("connected", () => {
  client.setHealth({ healthy: true, status: "StatusOK" });
  void client.sendCustomMessage({
    capability: "io.opamp-ts.echo",
    type: "hello",
    data: new TextEncoder().encode("hi"),
  });
});
await client.start();
process.on("SIGTERM", () => {
  void client.stop().finally(() => process.exit(0));
});
