import type { Request, Response, Router } from "express";
import type { Logger } from "pino";
import express from "express";
import { DomainError, messageTooLarge, type Core } from "../core/index.js";
import { toMessage } from "../graphql/mappers.js";
import { bearerToken } from "./auth-header.js";
import { sendError } from "./send-error.js";

/**
 * `POST /upload/<mailboxId>` with the raw RFC 822 message as the body (any content type): the same ingest as
 * the `uploadMessage` mutation, without base64 and JSON, so a large message is held once, as bytes. The body
 * is counted as it arrives and refused as soon as it passes the limit. Optional `?flags=\\Seen,$label` and
 * `?internalDate=<ISO date>`. Answers the stored message as JSON.
 */
export function uploadRoutes(core: Core, maxMessageBytes: number, logger: Logger): Router {
  const router = express.Router();
  router.post("/upload/:mailboxId", async (req: Request, res: Response) => {
    try {
      const principal = await core.auth.principalFor(bearerToken(req.headers.authorization));
      const raw = await readBody(req, maxMessageBytes);
      const flags =
        typeof req.query.flags === "string" && req.query.flags !== "" ? req.query.flags.split(",") : [];
      const date = typeof req.query.internalDate === "string" ? new Date(req.query.internalDate) : undefined;
      if (date && Number.isNaN(date.getTime()))
        throw new DomainError("INVALID_INPUT", `internalDate "${req.query.internalDate}" is not a date.`);
      const message = await core.messages.upload(principal, String(req.params.mailboxId), raw, flags, date);
      res.status(201).json(toMessage(message));
    } catch (err) {
      if (err instanceof ClientGone) {
        // Nobody to answer, and nothing stored: not a server failure (no 500, no error line).
        logger.info({ route: "/upload", bytes: err.bytes }, "request abandoned by the client");
        return;
      }
      if ((err as DomainError).code === "MESSAGE_TOO_LARGE") res.setHeader("connection", "close");
      sendError(res, err);
    }
  });
  return router;
}

function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(tooLarge(declared, limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume(); // drain the rest without keeping it
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, size)));
    // A client that goes away mid-body ends the wait (and frees what was read) instead of leaving it pending.
    req.once("close", () => {
      if (!req.complete) reject(new ClientGone(size));
    });
    req.once("error", (err) => reject(req.complete ? err : new ClientGone(size)));
  });
}

/** The client closed the connection before the whole body arrived. */
class ClientGone extends Error {
  constructor(readonly bytes: number) {
    super(`The client went away after ${bytes} bytes of the body.`);
  }
}

function tooLarge(size: number, limit: number): DomainError {
  return messageTooLarge(size, limit, { atLeast: true });
}
