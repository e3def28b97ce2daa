import type { Request, Response, Router } from "express";
import express from "express";
import { pipeline } from "node:stream/promises";
import type { Core } from "../core/index.js";
import { bearerToken } from "./auth-header.js";
import { sendError } from "./send-error.js";

/** GET routes that stream a message's original bytes or one decoded part; authorised like GraphQL. */
export function downloadRoutes(core: Core): Router {
  const router = express.Router();
  router.get("/download/:id/raw", async (req: Request, res: Response) => {
    try {
      const principal = await core.auth.principalFor(bearerToken(req.headers.authorization));
      const { size, stream } = await core.messages.rawStream(principal, String(req.params.id));
      res.writeHead(200, {
        "content-type": "message/rfc822",
        "content-length": size,
        "content-disposition": `attachment; filename="${req.params.id}.eml"`,
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
      const filename = part.filename ?? `part-${req.params.partId}`;
      res.writeHead(200, {
        "content-type": part.contentType,
        "content-length": part.data.length,
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
        "x-content-type-options": "nosniff",
      });
      res.end(part.data);
    } catch (err) {
      sendError(res, err);
    }
  });
  return router;
}
