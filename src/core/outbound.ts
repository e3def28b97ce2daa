// The outbound port: mail the server sends by itself (autoreplies today), handed to an MTA that queues and
// delivers it. The composition root picks the adapter: an SMTP relay until the outbound service (ZoneMTA) lands.

export interface OutboundMessage {
  /** The envelope sender (MAIL FROM); "" is the null reverse-path, as automatic replies use (RFC 3834 §3.3). */
  from: string;
  to: string[];
  /** The whole RFC 822 message. */
  raw: Buffer;
}

export interface OutboundPort {
  /** Resolves once the MTA has accepted the message for every recipient; rejects otherwise. */
  send(message: OutboundMessage): Promise<void>;
  close(): Promise<void>;
}

/** Where background work reports what became of it (pino's Logger fits). */
export interface BackgroundLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
