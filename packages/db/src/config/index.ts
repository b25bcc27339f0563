// The control plane's service layer (server only): one named function per operation on every config entity. Every
// mutation validates its input with the shared zod schemas and runs through writeConfig (mutation + version bump +
// audit entry with secrets stripped, one transaction). Web pages, server actions, the Admin API and config-as-code
// all go through these.

export * from "./audit.ts";
export * from "./common.ts";
export * from "./consumers.ts";
export * from "./declarative.ts";
export * from "./keys.ts";
export * from "./policies.ts";
export * from "./prices.ts";
export * from "./providers.ts";
export * from "./routes.ts";
export * from "./templates.ts";
export * from "./users.ts";
