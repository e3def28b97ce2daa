import type { Request, Response, Router } from "express";
import express from "express";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Core } from "../core/index.js";
import { bearerToken } from "./auth-header.js";
import { mboxrd } from "./mbox-export.js";
import { sendError } from "./send-error.js";

// What a download may be: bytes to save, never a page that runs in the API's origin. The browser must not
// guess a type (nosniff), must save rather than show (attachment), must give anything it shows no script,
// no origin and no requests (CSP sandbox, default-src 'none'), and must not keep private mail in a shared
// or disk cache (private, no-store).
const SAFE_HEADERS = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
  "cache-control": "private, no-store",
  "cross-origin-resource-policy": "same-origin",
};

// Part types served as declared: media a browser shows without running anything. Every other type
// (text/html, image/svg+xml, XML, scripts, unknown ones) is served as application/octet-stream.
const PASSIVE_TYPES =
  /^(?:image\/(?:png|jpeg|gif|webp|avif|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|application\/pdf|text\/plain|text\/csv|text\/calendar)$/;

/** The Content-Type to serve a part with: its own when passive, else opaque bytes. */
export function servedContentType(declared: string): string {
  const type = declared.split(";")[0].trim().toLowerCase();
  if (!PASSIVE_TYPES.test(type)) return "application/octet-stream";
  const charset = /;\s*charset="?([a-z0-9._-]{1,40})"?/i.exec(declared)?.[1];
  return type.startsWith("text/") && charset ? `${type}; charset=${charset.toLowerCase()}` : type;
}

/**
 * `attachment` with an RFC 6266 filename: a plain ASCII fallback (quotes, backslashes, controls, path
 * separators and non-ASCII replaced by `_`) and the exact name as RFC 5987 `filename*`.
 */
export function attachmentDisposition(filename: string): string {
  const name = filename.replace(/[\u0000-\u001f\u007f]/g, "").trim() || "download";
  const ascii = name.replace(/[^\x20-\x7e]|["\\/:*?<>|%]/g, "_");
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** GET routes that stream a message's original bytes or one decoded part; authorised like GraphQL. */
export function downloadRoutes(core: Core): Router {
  const router = express.Router();
  router.get("/download/:id/raw", async (req: Request, res: Response) => {
    try {
      const principal = await core.auth.principalFor(bearerToken(req.headers.authorization));
      const id = String(req.params.id);
      const { size, stream } = await core.messages.rawStream(principal, id);
      res.writeHead(200, {
        ...SAFE_HEADERS,
        "content-type": "message/rfc822",
        "content-length": size,
        "content-disposition": attachmentDisposition(`${id}.eml`),
      });
      await pipeline(stream, res);
    } catch (err) {
      sendError(res, err);
    }
  });
  router.get("/download/:id/part/:partId", async (req: Request, res: Response) => {
    try {
      const principal = await core.auth.principalFor(bearerToken(req.headers.authorization));
      const part = await core.messages.attachment(
        principal,
        String(req.params.id),
        String(req.params.partId),
      );
      res.writeHead(200, {
        ...SAFE_HEADERS,
        "content-type": servedContentType(part.contentType),
        "content-length": part.data.length,
        "content-disposition": attachmentDisposition(part.filename ?? `part-${req.params.partId}`),
      });
      res.end(part.data);
    } catch (err) {
      sendError(res, err);
    }
  });
  // A whole mailbox in one response (export, backup, a client's first sync): mboxrd in UID order, streamed
  // from the store in batches with backpressure, so it runs at about the store's read rate.
  router.get("/download/mailbox/:id/mbox", async (req: Request, res: Response) => {
    try {
      const principal = await core.auth.principalFor(bearerToken(req.headers.authorization));
      const mailbox = await core.mailboxes.get(principal, String(req.params.id));
      const messages = core.messages.rawMessages(principal, mailbox.id);
      res.writeHead(200, {
        ...SAFE_HEADERS,
        "content-type": "application/mbox",
        "content-disposition": attachmentDisposition(`${mailbox.path.replace(/\//g, "-")}.mbox`),
      });
      await pipeline(Readable.from(mboxrd(messages)), res);
    } catch (err) {
      sendError(res, err);
    }
  });
  return router;
}
