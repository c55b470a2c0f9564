import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { test } from "node:test";
import { createCertificateRequest } from "./csr.js";

test("C-33 a CSR and its P-256 private key are generated as PEM without any global set-up", async () => {
  const material = await createCertificateRequest("0190b7f8-bb85-72b5-8942-8533325b988a");
  assert.match(
    material.csrPem,
    /^-----BEGIN CERTIFICATE REQUEST-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE REQUEST-----\n?$/,
  );
  const key = createPrivateKey(material.keyPem);
  assert.equal(key.asymmetricKeyType, "ec");
  assert.equal(key.asymmetricKeyDetails?.namedCurve, "prime256v1");
  const other = await createCertificateRequest("0190b7f8-bb85-72b5-8942-8533325b988a");
  assert.notEqual(other.keyPem, material.keyPem, "a fresh key per request (rotation)");
});
