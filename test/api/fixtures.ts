// Small RFC 822 messages built for tests.

export function simpleMessage(
  o: {
    subject?: string;
    from?: string;
    to?: string;
    messageId?: string;
    inReplyTo?: string;
    body?: string;
    date?: string;
  } = {},
): Buffer {
  const lines = [
    `From: ${o.from ?? "Alice Example <alice@example.com>"}`,
    `To: ${o.to ?? "Bob <bob@example.org>"}`,
    `Subject: ${o.subject ?? "Hello"}`,
    `Date: ${o.date ?? "Tue, 02 Jan 2024 10:00:00 +0000"}`,
    `Message-ID: ${o.messageId ?? `<${Math.random().toString(36).slice(2)}@example.com>`}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    o.body ?? "Hello Bob,\r\nsee you soon.",
    "",
  ];
  return Buffer.from(lines.join("\r\n"));
}

/** A multipart message with an HTML part, an inline image (cid) and a PDF attachment of `attachmentBytes`. */
export function messageWithAttachment(
  attachment: Buffer,
  o: { subject?: string; filename?: string } = {},
): Buffer {
  const b64 = attachment.toString("base64").replace(/.{76}/g, "$&\r\n");
  const lines = [
    "From: Carol <carol@example.net>",
    "To: bob@example.org",
    `Subject: ${o.subject ?? "Report attached"}`,
    "Date: Wed, 03 Jan 2024 12:00:00 +0100",
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.net>`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="outer"',
    "",
    "--outer",
    'Content-Type: multipart/alternative; boundary="alt"',
    "",
    "--alt",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "The quarterly report is attached.",
    "--alt",
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p>The <b>quarterly</b> report is attached.</p>",
    "--alt--",
    "",
    "--outer",
    `Content-Type: application/pdf; name="${o.filename ?? "report.pdf"}"`,
    `Content-Disposition: attachment; filename="${o.filename ?? "report.pdf"}"`,
    "Content-Transfer-Encoding: base64",
    "",
    b64,
    "--outer--",
    "",
  ];
  return Buffer.from(lines.join("\r\n"));
}
