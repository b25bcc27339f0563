/** Where clients reach the gateway (SLUICE_GATEWAY_URL, set by the start command), for copy-paste snippets. */
export function gatewayUrl(): string {
  return (process.env.SLUICE_GATEWAY_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
}
