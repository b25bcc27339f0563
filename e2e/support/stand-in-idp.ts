// A stand-in OpenID Connect provider for the SSO journey: discovery, a login page that asks for an e-mail (the
// "user" types who they are), the authorization code flow with PKCE (S256), RS256 id tokens and a JWKS. Just enough
// of the protocol for next-auth's OAuth provider with `wellKnown`; it trusts whoever types an address.

import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export const IDP_CLIENT_ID = "sluice-e2e";
export const IDP_CLIENT_SECRET = "sluice-e2e-secret";

interface Grant {
  email: string;
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  nonce: string | null;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export async function startStandInIdp(port = 0): Promise<{ issuer: string; close: () => Promise<void> }> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "stand-in-1";
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const grants = new Map<string, Grant>();
  let issuer = "";

  const idToken = (g: Grant) => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
    const payload = b64url(
      JSON.stringify({
        iss: issuer,
        sub: `sub-${createHash("sha256").update(g.email).digest("hex").slice(0, 16)}`,
        aud: g.clientId,
        iat: now,
        exp: now + 300,
        email: g.email,
        email_verified: true,
        name: g.email.split("@")[0],
        ...(g.nonce ? { nonce: g.nonce } : {}),
      }),
    );
    const signature = sign("RSA-SHA256", Buffer.from(`${header}.${payload}`), privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", issuer);
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (url.pathname === "/.well-known/openid-configuration") {
        return json(200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
          scopes_supported: ["openid", "email", "profile"],
        });
      }
      if (url.pathname === "/jwks") return json(200, { keys: [jwk] });
      if (url.pathname === "/authorize" && req.method === "GET") {
        const q = url.searchParams;
        const hidden = ["client_id", "redirect_uri", "state", "code_challenge", "nonce"]
          .map((k) => `<input type="hidden" name="${k}" value="${(q.get(k) ?? "").replace(/"/g, "&quot;")}">`)
          .join("");
        return res
          .writeHead(200, { "content-type": "text/html" })
          .end(
            `<!doctype html><title>Stand-in IdP</title><h1>Stand-in IdP</h1><form method="post" action="/authorize">${hidden}` +
              `<label>E-mail <input name="email" type="email"></label><button type="submit">Continue</button></form>`,
          );
      }
      if (url.pathname === "/authorize" && req.method === "POST") {
        const f = new URLSearchParams(body);
        const code = randomBytes(16).toString("hex");
        grants.set(code, {
          email: f.get("email") ?? "",
          clientId: f.get("client_id") ?? "",
          redirectUri: f.get("redirect_uri") ?? "",
          challenge: f.get("code_challenge") || null,
          nonce: f.get("nonce") || null,
        });
        const back = new URL(f.get("redirect_uri") ?? "");
        back.searchParams.set("code", code);
        if (f.get("state")) back.searchParams.set("state", f.get("state") as string);
        return res.writeHead(302, { location: back.toString() }).end();
      }
      if (url.pathname === "/token" && req.method === "POST") {
        const f = new URLSearchParams(body);
        const basic = (req.headers.authorization ?? "").replace(/^Basic\s+/i, "");
        const [id, secret] = basic
          ? Buffer.from(basic, "base64").toString().split(":").map(decodeURIComponent)
          : [f.get("client_id"), f.get("client_secret")];
        if (id !== IDP_CLIENT_ID || secret !== IDP_CLIENT_SECRET) return json(401, { error: "invalid_client" });
        const g = grants.get(f.get("code") ?? "");
        grants.delete(f.get("code") ?? "");
        if (!g || g.redirectUri !== f.get("redirect_uri")) return json(400, { error: "invalid_grant" });
        if (g.challenge) {
          const verifier = f.get("code_verifier") ?? "";
          if (createHash("sha256").update(verifier).digest("base64url") !== g.challenge)
            return json(400, { error: "invalid_grant", error_description: "PKCE verification failed" });
        }
        return json(200, {
          access_token: randomBytes(16).toString("hex"),
          token_type: "Bearer",
          expires_in: 300,
          id_token: idToken(g),
        });
      }
      json(404, { error: "not_found" });
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) };
}
