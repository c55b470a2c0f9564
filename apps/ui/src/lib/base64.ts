/**
 * UTF-8 text ↔ base64 for custom message payloads, which the API carries as
 * base64 (spec §4.13 CustomMessage.data is bytes). Payloads that are not
 * UTF-8 text show as base64.
 */

/** Base64 of the UTF-8 bytes of `text`. */
export function encodeBase64Text(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The UTF-8 text of base64 `data`; `base64:<data>` when it is not valid UTF-8 or not base64. */
export function decodeBase64Text(data: string): string {
  try {
    const binary = atob(data);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return `base64:${data}`;
  }
}
