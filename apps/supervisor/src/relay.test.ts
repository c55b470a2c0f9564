import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { keyValuesToAttributes } from "@opamp-ts/protocol";
import { fakeCollector } from "./test-support/fake-collector.js";
import { e2eFixture } from "./test-support/harness.js";

const fake = fileURLToPath(new URL("./test-support/fake-extension.ts", import.meta.url));

test("C-34 C-35 custom messages are relayed both ways, and the description and components come from bootstrap merged with agent::description", async (t) => {
  const { dir, upstream, start } = await e2eFixture(t, "relay");
  const script = await fakeCollector(
    dir,
    "fake-otelcol",
    `exec "${process.execPath}" --conditions=source --import tsx "${fake}" "$@"`,
  );
  const supervisor = await start({
    collector: script,
    agent: { description: { non_identifying_attributes: { "deployment.environment": "test" } } },
  });
  const hello = await upstream.waitFor(
    (m) => m.customMessage?.type === "hello",
    "the Collector's custom message",
  );
  assert.equal(hello.customMessage?.capability, "io.opamp-ts.echo");
  const caps = await upstream.waitFor(
    (m) => m.customCapabilities !== undefined,
    "custom capabilities",
  );
  assert.deepEqual(caps.customCapabilities?.capabilities, ["io.opamp-ts.echo"]);
  await upstream.send({
    customMessage: {
      capability: "io.opamp-ts.echo",
      type: "ping",
      data: new TextEncoder().encode("x"),
    },
  });
  const echo = await upstream.waitFor(
    (m) => m.customMessage?.type === "echo:ping",
    "the echoed custom message",
  );
  assert.equal(new TextDecoder().decode(echo.customMessage?.data), "x");

  const described = upstream.messages.find(
    (m) =>
      m.agentDescription !== undefined &&
      keyValuesToAttributes(m.agentDescription.identifyingAttributes)["service.name"] ===
        "fake-collector",
  );
  assert.ok(described?.agentDescription, "the Collector's own description is reported");
  const identifying = keyValuesToAttributes(described.agentDescription.identifyingAttributes);
  const nonIdentifying = keyValuesToAttributes(described.agentDescription.nonIdentifyingAttributes);
  assert.equal(identifying["service.instance.id"], supervisor.instanceUid);
  assert.equal(nonIdentifying["os.type"], "linux");
  assert.equal(nonIdentifying["deployment.environment"], "test");
  const components = upstream.messages.find((m) => m.availableComponents !== undefined);
  assert.ok(components?.availableComponents?.hash.length, "available components are reported");
});

test("a local config file that does not exist stops the start with INVALID_CONFIG naming the file", async (t) => {
  const { dir, start } = await e2eFixture(t, "missing-file");
  const script = await fakeCollector(
    dir,
    "fake-otelcol",
    `exec "${process.execPath}" --conditions=source --import tsx "${fake}" "$@"`,
  );
  await assert.rejects(
    start({ collector: script, agent: { config_files: [`${dir}/missing.yaml`] } }),
    (error: unknown) =>
      (error as { code?: string }).code === "INVALID_CONFIG" &&
      /missing\.yaml/.test((error as Error).message),
  );
});
