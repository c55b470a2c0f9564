import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { describe, test } from "node:test";
import WebSocket from "ws";
import { BACKENDS } from "./test-support/backends.js";
import { spawnCli } from "./test-support/cli-process.js";
import type { ApiResponse } from "./test-support/running-server.js";

const TOKEN = "process-test-token";

async function api(apiUrl: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as ApiResponse["body"] };
}

for (const backend of BACKENDS) {
  describe(`opamp-server process on ${backend.name}`, () => {
    const args = (dataDir: string, databaseUrl: string | undefined) => [
      "--opamp-address",
      "127.0.0.1:0",
      "--http-address",
      "127.0.0.1:0",
      "--data-dir",
      dataDir,
      ...(databaseUrl !== undefined ? ["--database-url", databaseUrl] : []),
    ];

    test("S-23 SIGTERM closes agent WebSockets with a Close frame and exits 0", async () => {
      const db = await backend.create();
      try {
        const cli = await spawnCli(args(db.dataDir, db.databaseUrl), { OPAMP_ADMIN_TOKEN: TOKEN });
        const ws = new WebSocket(cli.opampUrl);
        await new Promise((resolve, reject) => {
          ws.once("open", resolve);
          ws.once("error", reject);
        });
        const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
        cli.child.kill("SIGTERM");
        const code = await closed;
        assert.notEqual(code, 1006, "closed with a Close frame, not dropped");
        assert.equal(await cli.exited, 0, cli.output());
      } finally {
        db.cleanup();
      }
    });

    test("a change acknowledged to a user survives SIGKILL", async () => {
      const db = await backend.create();
      try {
        const first = await spawnCli(args(db.dataDir, db.databaseUrl), {
          OPAMP_ADMIN_TOKEN: TOKEN,
        });
        const files = { "collector.yaml": { body: "receivers: {}\n", contentType: "text/yaml" } };
        const created = await api(first.apiUrl, "POST", "/configurations", {
          name: "durable",
          files,
        });
        assert.equal(created.status, 201);
        first.child.kill("SIGKILL");
        assert.equal(await first.exited, "SIGKILL");

        const second = await spawnCli(args(db.dataDir, db.databaseUrl), {
          OPAMP_ADMIN_TOKEN: TOKEN,
        });
        try {
          const got = await api(second.apiUrl, "GET", `/configurations/${created.body.id}`);
          assert.equal(got.status, 200);
          assert.equal(got.body.name, "durable");
          assert.equal(got.body.latestVersion, 1);
          const audit = await api(second.apiUrl, "GET", "/audit");
          assert.ok(
            audit.body.entries.some((e: { action: string }) => e.action === "configuration.create"),
          );
        } finally {
          second.child.kill("SIGTERM");
          assert.equal(await second.exited, 0);
        }
      } finally {
        db.cleanup();
      }
    });
  });
}

describe("opamp-server CLI", () => {
  test("without --admin-token a token is generated into the data dir with mode 0600 and printed where it is", async () => {
    const db = await BACKENDS[0]!.create();
    try {
      const cli = await spawnCli(
        [
          "--opamp-address",
          "127.0.0.1:0",
          "--http-address",
          "127.0.0.1:0",
          "--data-dir",
          db.dataDir,
        ],
        {
          OPAMP_ADMIN_TOKEN: "",
        },
      );
      const file = `${db.dataDir}/admin-token`;
      assert.match(cli.output(), new RegExp(`Admin token:\\s+in ${file.replace(/[/.]/g, "\\$&")}`));
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const token = readFileSync(file, "utf8").trim();
      const res = await fetch(`${cli.apiUrl}/agents`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
      cli.child.kill("SIGTERM");
      assert.equal(await cli.exited, 0);
    } finally {
      db.cleanup();
    }
  });
});
