import {
  AgentCapabilities,
  ConnectionSettingsRequestSchema,
  create,
  formatInstanceUid,
  hasBit,
  ServerCapabilities,
} from "@opamp-ts/protocol";
import type { ClientRuntime } from "./client-runtime.js";
import { createCertificateRequest } from "./csr.js";
import { OpampClientError, toClientError } from "./errors.js";

/**
 * The agent-initiated CSR flow (C-33) and its renewal after a server-assigned
 * instance uid (C-3, P-16): a certificate whose subject names the old uid no
 * longer identifies the agent, so a new request with the new uid is sent while
 * the old certificate still carries the connection.
 */
export class CertificateRenewal {
  constructor(private readonly rt: ClientRuntime) {}

  /**
   * Generate a key pair and a CSR with the instance uid as common name, keep
   * the key in the durable state store, and send the request (C-33 steps 2-3).
   * The offer that answers it goes through verify-then-commit (C-31).
   */
  async request(): Promise<void> {
    const { rt } = this;
    if (
      !hasBit(rt.capabilities(), AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings)
    ) {
      throw new OpampClientError(
        "INVALID_STATE",
        "the CSR flow needs AcceptsOpAMPConnectionSettings",
      );
    }
    const server = rt.builder.serverCapabilities;
    if (
      server !== undefined &&
      !hasBit(server, ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest)
    ) {
      throw new OpampClientError(
        "INVALID_STATE",
        "the server does not accept connection settings requests (C-17)",
      );
    }
    if (!rt.state.store.durable) {
      throw new OpampClientError(
        "INVALID_STATE",
        "the CSR flow needs a durable state store (C-31)",
      );
    }
    const material = await createCertificateRequest(formatInstanceUid(rt.builder.instanceUid));
    await rt.state.update({ csrKey: material.keyPem });
    rt.builder.setConnectionSettingsRequest(
      create(ConnectionSettingsRequestSchema, {
        opamp: { certificateRequest: { csr: new TextEncoder().encode(material.csrPem) } },
      }),
    );
    rt.wake();
  }

  /**
   * The server assigned a new uid (C-3, P-16). When the client certificate in
   * use came from the CSR flow (its key is the stored CSR key) and its subject
   * names the old uid, request a new certificate for the new uid, unless
   * `renewCertificateOnNewUid` is false. Failures are reported, never thrown.
   */
  async instanceUidChanged(oldUidText: string): Promise<void> {
    const { rt } = this;
    if (rt.options.renewCertificateOnNewUid === false) return;
    // The uid may arrive in the first reply on a connection under verification
    // (C-31): judge the certificate once that connection is committed or reverted.
    await rt.settingsFlow?.idle();
    const { cert, key } = rt.settings.tls;
    const csrKey = rt.state.state.csrKey;
    if (cert === undefined || csrKey === undefined || key !== csrKey) return;
    try {
      if (!(await subjectNames(cert, oldUidText))) return;
      rt.log.info("client certificate names the replaced instance uid; requesting a new one", {
        oldInstanceUid: oldUidText,
      });
      await this.request();
    } catch (error) {
      rt.reportError(
        toClientError("CSR", error, "cannot renew the client certificate for the new instance uid"),
      );
    }
  }
}

/** True when the certificate's subject contains `uidText` (the CN our CSRs carry, C-33). */
async function subjectNames(certPem: string, uidText: string): Promise<boolean> {
  await import("reflect-metadata");
  const { X509Certificate } = await import("@peculiar/x509");
  const subject = new X509Certificate(certPem).subject;
  return subject.toLowerCase().includes(uidText.toLowerCase());
}
