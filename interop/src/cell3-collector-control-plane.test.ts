// Interop matrix, cell 3: the OpenTelemetry Collector's own opamp extension
// (v0.149.0) connecting directly to our control plane, once over WebSocket
// (`server.ws`) and once over plain HTTP polling (`server.http`, polling every
// second), both on the same OpAMP endpoint. What the extension reports is
// checked only through the control plane's REST API.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort, opampEndpoint, requireCollectorPeers } from "./support/collector-peers.js";
import { ControlPlane } from "./support/control-plane.js";
import { PeerProcess } from "./support/peer-process.js";
import { poll } from "./support/wait.js";

const built = await requireCollectorPeers();
const WAIT_MS = 120_000;
const INSTANCE_UID = "0193a7c2-5b1e-7d4a-9c3f-2e8d6b4a1f07";

interface AgentRow {
  id: string;
  connected: boolean;
  transport: "websocket" | "http" | null;
  description: {
    identifyingAttributes: Record<string, unknown>;
    nonIdentifyingAttributes: Record<string, unknown>;
  };
  capabilities: string[];
  health: { healthy: boolean; status?: string } | null;
  effectiveConfig: { files: Record<string, { body: string; contentType: string }> } | null;
  // biome-ignore lint/suspicious/noExplicitAny: the components tree is checked field by field
  availableComponents?: any;
}

/** The extension's `server:` block for one transport, pointing at `wsUrl`'s port. */
function serverBlock(transport: "websocket" | "http", wsUrl: string): string[] {
  if (transport === "websocket") {
    return ["      ws:", `        endpoint: ${wsUrl}`, "        tls:", "          insecure: true"];
  }
  return [
    "      http:",
    `        endpoint: ${opampEndpoint(transport, wsUrl)}`,
    "        polling_interval: 1s",
  ];
}

for (const transport of ["websocket", "http"] as const)
  describe(`cell 3 (${transport}): the Collector's opamp extension -> our control plane`, {
    skip: built.skip,
    timeout: 5 * 60_000,
  }, () => {
    let cp: ControlPlane;
    let collector: PeerProcess;
    let dir: string;

    const row = async (): Promise<AgentRow | undefined> => {
      const res = await cp.api("GET", "/agents");
      assert.equal(res.status, 200);
      return (res.body.agents as AgentRow[]).find((a) => a.id === INSTANCE_UID);
    };

    before(async () => {
      cp = await ControlPlane.start();
      dir = mkdtempSync(join(tmpdir(), `opamp-interop-cell3-${transport}-`));
      const otlpPort = await freePort();
      const configPath = join(dir, "collector.yaml");
      writeFileSync(
        configPath,
        [
          "extensions:",
          "  opamp:",
          `    instance_uid: ${INSTANCE_UID}`,
          "    server:",
          ...serverBlock(transport, cp.handle.opampUrl),
          "    capabilities:",
          "      reports_effective_config: true",
          "      reports_health: true",
          "      reports_available_components: true",
          "receivers:",
          "  otlp:",
          "    protocols:",
          "      http:",
          `        endpoint: 127.0.0.1:${otlpPort}`,
          "exporters:",
          "  debug: {}",
          "service:",
          "  extensions: [opamp]",
          "  pipelines:",
          "    traces:",
          "      receivers: [otlp]",
          "      exporters: [debug]",
          "  telemetry:",
          "    metrics:",
          "      level: none",
          "",
        ].join("\n"),
      );
      collector = new PeerProcess("otelcol", built.peers!.collector, ["--config", configPath]);
    });

    after(async () => {
      await collector?.stop();
      await cp?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("S-8 the Collector is listed with its description (service.name, version, host attributes)", async () => {
      const listed = await poll(
        "the Collector in GET /agents",
        async () => {
          const r = await row();
          return r?.connected && Object.keys(r.description.identifyingAttributes).length > 0
            ? r
            : undefined;
        },
        WAIT_MS,
      ).catch((error: unknown) => {
        throw new Error(`Collector stderr: ${collector.stderrText().slice(-3000)}`, {
          cause: error,
        });
      });
      assert.equal(listed.transport, transport);
      const id = listed.description.identifyingAttributes;
      assert.equal(id["service.name"], "otelcol-opamp");
      assert.equal(id["service.version"], "0.149.0");
      assert.equal(id["service.instance.id"], INSTANCE_UID);
      const nonId = listed.description.nonIdentifyingAttributes;
      assert.equal(typeof nonId["os.type"], "string", JSON.stringify(nonId));
      assert.ok(
        listed.capabilities.includes("ReportsEffectiveConfig"),
        listed.capabilities.join(","),
      );
      assert.ok(listed.capabilities.includes("ReportsHealth"), listed.capabilities.join(","));
    });

    test("C-15 the inventory shows the Collector's effective config as YAML naming its own pipeline", async () => {
      const listed = await poll(
        "the effective config",
        async () => {
          const r = await row();
          return r?.effectiveConfig && Object.keys(r.effectiveConfig.files).length > 0
            ? r
            : undefined;
        },
        WAIT_MS,
      );
      const bodies = Object.values(listed.effectiveConfig!.files).map((f) => f.body);
      assert.ok(
        bodies.some((b) => b.includes("otlp") && b.includes("debug") && b.includes("opamp")),
        bodies.join("\n---\n").slice(0, 2000),
      );
    });

    test("C-16 the inventory shows the Collector healthy", async () => {
      const listed = await poll(
        "a healthy report",
        async () => {
          const r = await row();
          return r?.health?.healthy === true ? r : undefined;
        },
        WAIT_MS,
      );
      assert.equal(listed.health?.healthy, true);
      assert.equal(listed.health?.status, "StatusOK");
      // biome-ignore lint/suspicious/noExplicitAny: nested component health is checked field by field
      const pipeline = (listed.health as any).componentHealthMap?.["pipeline:traces"];
      assert.equal(pipeline?.componentHealthMap?.["receiver:otlp"]?.healthy, true);
    });

    test("C-27 the inventory shows the Collector's available components (receivers, exporters, extensions)", async () => {
      const listed = await poll(
        "the available components",
        async () => {
          const r = await row();
          return r?.availableComponents?.components ? r : undefined;
        },
        WAIT_MS,
      );
      assert.ok(
        listed.capabilities.includes("ReportsAvailableComponents"),
        listed.capabilities.join(","),
      );
      const kinds = listed.availableComponents.components;
      assert.match(listed.availableComponents.hash, /^[0-9a-f]{64}$/);
      for (const [kind, name] of [
        ["receivers", "otlp"],
        ["exporters", "file"],
        ["exporters", "debug"],
        ["processors", "batch"],
        ["extensions", "opamp"],
        ["extensions", "health_check"],
      ] as const) {
        const entry = kinds[kind]?.subComponents?.[name];
        assert.ok(entry, `${kind}/${name} in ${JSON.stringify(kinds).slice(0, 1500)}`);
        assert.match(String(entry.metadata["code.namespace"]), /v0\.\d+\.\d+$/);
      }
    });
  });
