// SigV4 signing of a Bedrock runtime request with @smithy/signature-v4 (service "bedrock", region from settings).
// The signing time is ctx.now, so a golden test can pin the whole Authorization header.

import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import type { TransformContext, UpstreamRequest } from "../types.ts";
import { BedrockConfigError, bedrockRegion } from "./request.ts";

export async function signBedrockRequest(req: UpstreamRequest, ctx: TransformContext): Promise<UpstreamRequest> {
  const { accessKeyId, secretAccessKey, sessionToken } = ctx.credentials;
  if (!accessKeyId || !secretAccessKey) throw new BedrockConfigError("bedrock credentials need accessKeyId and secretAccessKey");
  const signer = new SignatureV4({
    service: "bedrock",
    region: bedrockRegion(ctx.settings),
    credentials: sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey },
    sha256: Sha256,
  });
  const url = new URL(req.url);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...req.headers, host: url.host },
      ...(req.body !== undefined ? { body: req.body } : {}),
    },
    { signingDate: new Date(ctx.now * 1000) },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = String(v);
  return { ...req, headers };
}
