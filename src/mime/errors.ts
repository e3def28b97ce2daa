/** Thrown by parseMessage when the raw message is larger than ParseOptions.maxSize. */
export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
  readonly code = "MESSAGE_TOO_LARGE";

  constructor(
    readonly size: number,
    readonly maxSize: number,
  ) {
    super(`Message of ${size} bytes is larger than the limit of ${maxSize} bytes.`);
  }
}

/** Thrown by rebuildMessage/streamMessage when a blob's bytes do not match its segment: the store is damaged. */
export class BlobMismatchError extends Error {
  override name = "BlobMismatchError";
  readonly code = "BLOB_MISMATCH";

  constructor(
    readonly hash: string,
    readonly expectedSize: number,
    readonly actualSize: number,
  ) {
    super(`Blob "${hash}" has ${actualSize} bytes where the message needs ${expectedSize}.`);
  }
}
