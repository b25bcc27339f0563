/** Where developers (and the playground) reach the gateway: SLUICE_GATEWAY_URL, without a trailing slash. */
export function gatewayBaseUrl(): string {
  return (process.env.SLUICE_GATEWAY_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
}

/** The OpenAI base URL of a route: the gateway plus the route's first path prefix. */
export function routeBaseUrl(paths: readonly string[]): string {
  return `${gatewayBaseUrl()}${(paths[0] ?? "/v1").replace(/\/+$/, "")}`;
}
