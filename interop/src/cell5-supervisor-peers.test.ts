// Interop matrix, cell 5: our supervisor (apps/supervisor, run through its
// command line as an operator would) with the real Collector, managed first by
// opamp-go's server package (goserver) and then by our control plane, each over
// WebSocket and over plain HTTP. Over HTTP our supervisor polls every 30 s (its
// heartbeat interval; the supervisor config has no key for it), so each push
// waits for the next poll.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { RemoteConfigStatuses } from "@opamp-ts/protocol";
import { requirePeers } from "./support/build.js";
import {
  freePort,
  opampEndpoint,
  pipelineConfig,
  requireCollectorPeers,
  sendSpan,
  waitForFileContaining,
} from "./support/collector-peers.js";
import { ControlPlane } from "./support/control-plane.js";
import { GoServer } from "./support/goserver.js";
import { PeerProcess } from "./support/peer-process.js";
import { poll } from "./support/wait.js";

const built = await requireCollectorPeers();
const go = await requirePeers();
const WAIT_MS = 150_000;
const supervisorBin = fileURLToPath(new URL("../../apps/supervisor/src/bin.ts", import.meta.url));

/** Writes a supervisor.yaml (Go supervisor keys) and starts our supervisor's CLI on it. */
function startOurSupervisor(
  dir: string,
  endpoint: string,
  instanceId: string,
  collector: string,
): PeerProcess {
  const configPath = join(dir, "supervisor.yaml");
  writeFileSync(
    configPath,
    [
      "server:",
      `  endpoint: ${endpoint}`,
      "capabilities:",
      "  accepts_remote_config: true",
      "  reports_remote_config: true",
      "  reports_effective_config: true",
      "  reports_health: true",
      "agent:",
      `  executable: ${collector}`,
      `  instance_id: ${instanceId}`,
      "  bootstrap_timeout: 60s",
      "  config_apply_timeout: 60s",
      "  stop_timeout: 20s",
      "storage:",
      `  directory: ${join(dir, "storage")}`,
      "",
    ].join("\n"),
  );
  return new PeerProcess("opamp-supervisor", process.execPath, [
    "--conditions=source",
    "--import",
    "tsx",
    supervisorBin,
    "--config",
    configPath,
  ]);
}

const skip = built.skip || go.skip;

for (const transport of ["websocket", "http"] as const)
  describe(`cell 5a (${transport}): our supervisor + Collector -> goserver (opamp-go)`, {
    skip,
    timeout: 6 * 60_000,
  }, () => {
    const UID = "0193a7c2-5b1e-7d4a-9c3f-2e8d6b4a1f51";
    let server: GoServer;
    let supervisor: PeerProcess;
    let dir: string;

    before(async () => {
      server = await GoServer.start(go.binaries!.goserver);
      dir = mkdtempSync(join(tmpdir(), `opamp-interop-cell5a-${transport}-`));
      supervisor = startOurSupervisor(
        dir,
        transport === "websocket" ? server.opampUrl : server.opampHttpUrl,
        UID,
        built.peers!.collector,
      );
    });

    after(async () => {
      await supervisor?.stop("SIGTERM", 30_000);
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("S-12 C-21 a config pushed by goserver is reported APPLIED with its hash, and data flows", async () => {
      await server
        .waitForMessage(
          (m) => m.agent === UID && m.transport === transport && m.message.health?.healthy === true,
          {
            timeoutMs: WAIT_MS,
            what: "a healthy report from our supervisor",
          },
        )
        .catch((error: unknown) => {
          throw new Error(`supervisor stderr: ${supervisor.stderrText().slice(-4000)}`, {
            cause: error,
          });
        });
      const port = await freePort();
      const out = join(dir, "traces.json");
      const from = server.mark();
      const offer = await server.pushRemoteConfig(UID, {
        "collector.yaml": { body: pipelineConfig(port, out), contentType: "text/yaml" },
      });
      // goserver pushes at once over WebSocket and answers the next poll over HTTP.
      assert.equal(offer.delivery, transport === "websocket" ? "sent" : "queued");
      const applied = await server
        .waitForMessage(
          (m) =>
            m.agent === UID &&
            m.message.remoteConfigStatus?.status ===
              RemoteConfigStatuses.RemoteConfigStatuses_APPLIED &&
            Buffer.from(m.message.remoteConfigStatus.lastRemoteConfigHash).toString("hex") ===
              offer.hash,
          { after: from, timeoutMs: WAIT_MS, what: "APPLIED with the offered hash" },
        )
        .catch((error: unknown) => {
          throw new Error(`supervisor stderr: ${supervisor.stderrText().slice(-4000)}`, {
            cause: error,
          });
        });
      // opamp-go decodes the same status with its own generated code.
      assert.deepEqual(
        (applied.json.remoteConfigStatus as Record<string, unknown>).status,
        "RemoteConfigStatuses_APPLIED",
      );
      assert.equal(await sendSpan(port, "cell5a-span"), 200);
      await waitForFileContaining(join(dir, "traces.json"), "cell5a-span", WAIT_MS);
    });
  });

for (const transport of ["websocket", "http"] as const)
  describe(`cell 5b (${transport}): our supervisor + Collector -> our control plane`, {
    skip: built.skip,
    timeout: 6 * 60_000,
  }, () => {
    const UID = "0193a7c2-5b1e-7d4a-9c3f-2e8d6b4a1f52";
    let cp: ControlPlane;
    let supervisor: PeerProcess;
    let dir: string;

    before(async () => {
      cp = await ControlPlane.start();
      dir = mkdtempSync(join(tmpdir(), `opamp-interop-cell5b-${transport}-`));
      supervisor = startOurSupervisor(
        dir,
        opampEndpoint(transport, cp.handle.opampUrl),
        UID,
        built.peers!.collector,
      );
    });

    after(async () => {
      await supervisor?.stop("SIGTERM", 30_000);
      await cp?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("S-12 C-21 a config pushed through REST shows APPLIED and data flows through the new pipeline", async () => {
      await poll(
        "the supervised Collector, healthy, in GET /agents",
        async () => {
          const res = await cp.api("GET", "/agents");
          const r = (
            res.body.agents as Array<{
              id: string;
              connected: boolean;
              transport: string | null;
              health: { healthy: boolean } | null;
            }>
          ).find((a) => a.id === UID);
          return r?.connected && r.transport === transport && r.health?.healthy === true
            ? r
            : undefined;
        },
        WAIT_MS,
      ).catch((error: unknown) => {
        throw new Error(`supervisor stderr: ${supervisor.stderrText().slice(-4000)}`, {
          cause: error,
        });
      });
      const port = await freePort();
      const out = join(dir, "traces.json");
      const put = await cp.api("PUT", `/agents/${UID}/config`, {
        files: { "collector.yaml": { body: pipelineConfig(port, out), contentType: "text/yaml" } },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const shown = await poll(
        "APPLIED in the API",
        async () => {
          const res = await cp.api("GET", "/agents");
          const r = (
            res.body.agents as Array<{
              id: string;
              description: { identifyingAttributes: Record<string, unknown> };
              remoteConfigStatus: { status: string; configHash: string; errorMessage: string };
            }>
          ).find((a) => a.id === UID);
          return r?.remoteConfigStatus.status === "APPLIED" &&
            r.remoteConfigStatus.configHash === put.body.configHash
            ? r
            : undefined;
        },
        WAIT_MS,
      ).catch((error: unknown) => {
        throw new Error(`supervisor stderr: ${supervisor.stderrText().slice(-4000)}`, {
          cause: error,
        });
      });
      assert.equal(shown.description.identifyingAttributes["service.name"], "otelcol-opamp");
      assert.equal(shown.description.identifyingAttributes["service.instance.id"], UID);
      assert.equal(await sendSpan(port, "cell5b-span"), 200);
      const written = await waitForFileContaining(out, "cell5b-span", WAIT_MS);
      assert.match(written, /opamp-interop/);
    });
  });
