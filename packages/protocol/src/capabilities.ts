import type { DescEnum } from "@bufbuild/protobuf";
import { OpampProtocolError } from "./errors.js";
import {
  AgentCapabilitiesSchema,
  AgentToServerFlagsSchema,
  ServerCapabilitiesSchema,
  ServerToAgentFlagsSchema,
} from "./gen/opamp/v1/opamp_pb.js";

/**
 * Helpers for the uint64 bit masks of OpAMP (capabilities and flags). Masks
 * are `bigint` end to end (P-2); bits may be given as enum members (numbers)
 * or bigints.
 */
export type Bit = number | bigint;

/** True when every bit of `bit` is set in `mask`. */
export function hasBit(mask: bigint, bit: Bit): boolean {
  const b = BigInt(bit);
  return (mask & b) === b;
}

/** OR the given bits into one mask. */
export function combineBits(...bits: Bit[]): bigint {
  let mask = 0n;
  for (const bit of bits) {
    mask |= BigInt(bit);
  }
  return mask;
}

/** A bit-mask enum of the schema with the names stripped of their prefix. */
class BitSet {
  private readonly byName = new Map<string, bigint>();
  private readonly byBit = new Map<bigint, string>();
  readonly knownMask: bigint;

  constructor(schema: DescEnum) {
    const prefix = `${schema.name}_`;
    let known = 0n;
    for (const value of schema.values) {
      if (value.number === 0) {
        continue;
      }
      const name = value.name.startsWith(prefix) ? value.name.slice(prefix.length) : value.name;
      const bit = BigInt(value.number);
      this.byName.set(name, bit);
      this.byBit.set(bit, name);
      known |= bit;
    }
    this.knownMask = known;
  }

  names(mask: bigint): string[] {
    const names: string[] = [];
    for (let bit = 1n; bit <= mask; bit <<= 1n) {
      if (mask & bit) {
        names.push(this.byBit.get(bit) ?? `0x${bit.toString(16)}`);
      }
    }
    return names;
  }

  fromNames(names: Iterable<string>, what: string): bigint {
    let mask = 0n;
    for (const name of names) {
      const bit = this.byName.get(name);
      if (bit === undefined) {
        throw new OpampProtocolError(
          "UNKNOWN_CAPABILITY",
          `unknown ${what} "${name}"; known: ${[...this.byName.keys()].join(", ")}`,
        );
      }
      mask |= bit;
    }
    return mask;
  }
}

const agentCapabilities = new BitSet(AgentCapabilitiesSchema);
const serverCapabilities = new BitSet(ServerCapabilitiesSchema);
const agentToServerFlags = new BitSet(AgentToServerFlagsSchema);
const serverToAgentFlags = new BitSet(ServerToAgentFlagsSchema);

/** Every `AgentCapabilities` bit this schema defines; senders must zero the rest (C-8). */
export const KNOWN_AGENT_CAPABILITIES: bigint = agentCapabilities.knownMask;
/** Every `ServerCapabilities` bit this schema defines; senders must zero the rest (S-6). */
export const KNOWN_SERVER_CAPABILITIES: bigint = serverCapabilities.knownMask;

/**
 * Names of the set `AgentCapabilities` bits without the enum prefix, lowest
 * bit first, e.g. `["ReportsStatus", "AcceptsRemoteConfig"]`. Bits the schema
 * does not define appear as hex (`"0x10000"`), so logs never hide them.
 */
export function agentCapabilityNames(mask: bigint): string[] {
  return agentCapabilities.names(mask);
}

/** The reverse of {@link agentCapabilityNames}; unknown names throw `UNKNOWN_CAPABILITY`. */
export function agentCapabilitiesFromNames(names: Iterable<string>): bigint {
  return agentCapabilities.fromNames(names, "agent capability");
}

/** Names of the set `ServerCapabilities` bits, as {@link agentCapabilityNames} does for agents. */
export function serverCapabilityNames(mask: bigint): string[] {
  return serverCapabilities.names(mask);
}

/** The reverse of {@link serverCapabilityNames}; unknown names throw `UNKNOWN_CAPABILITY`. */
export function serverCapabilitiesFromNames(names: Iterable<string>): bigint {
  return serverCapabilities.fromNames(names, "server capability");
}

/** Names of the set `AgentToServerFlags` bits. */
export function agentToServerFlagNames(mask: bigint): string[] {
  return agentToServerFlags.names(mask);
}

/** Names of the set `ServerToAgentFlags` bits. */
export function serverToAgentFlagNames(mask: bigint): string[] {
  return serverToAgentFlags.names(mask);
}
