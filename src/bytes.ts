/** Protobuf fields want ArrayBuffer-backed bytes; copy the rare shared-memory view. */
export function ownBytes (bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? bytes as Uint8Array<ArrayBuffer> : new Uint8Array(bytes)
}
