import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM material for TLS tests, made with the system `openssl` in a temporary directory. */
export interface TestCerts {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Signed by the test CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** Self-signed: chains to nothing the server trusts. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "opamp-server-certs-"));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  try {
    openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-subj",
      "/CN=test-ca",
      "-days",
      "2",
    );
    writeFileSync(file("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    writeFileSync(file("client.ext"), "extendedKeyUsage=clientAuth\n");
    for (const [name, cn] of [
      ["server", "localhost"],
      ["client", "agent-1"],
    ] as const) {
      openssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
      openssl(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "2",
        "-extfile",
        `${name}.ext`,
      );
    }
    openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "stranger.key",
      "-out",
      "stranger.crt",
      "-subj",
      "/CN=stranger",
      "-days",
      "2",
    );
    const read = (name: string) => readFileSync(file(name), "utf8");
    return {
      caCert: read("ca.crt"),
      serverCert: read("server.crt"),
      serverKey: read("server.key"),
      clientCert: read("client.crt"),
      clientKey: read("client.key"),
      strangerCert: read("stranger.crt"),
      strangerKey: read("stranger.key"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
