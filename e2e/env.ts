// Where the e2e run starts Sluice, shared by the config, the global setup and the specs. Override with E2E_* vars.

export const e2eEnv = {
  webPort: Number(process.env.E2E_WEB_PORT ?? 3100),
  gatewayPort: Number(process.env.E2E_GATEWAY_PORT ?? 8180),
  /** the embedded PostgreSQL; not the default 54329, so a running dev instance does not collide */
  pgPort: Number(process.env.E2E_PG_PORT ?? 54339),
  /** the stand-in OIDC provider of the SSO journey */
  idpPort: Number(process.env.E2E_IDP_PORT ?? 8190),
  adminEmail: process.env.E2E_ADMIN_EMAIL ?? "admin@e2e.sluice.test",
  adminPassword: process.env.E2E_ADMIN_PASSWORD ?? "e2e-admin-password-1",
};

export const webUrl = `http://127.0.0.1:${e2eEnv.webPort}`;
export const gatewayUrl = `http://127.0.0.1:${e2eEnv.gatewayPort}`;
