// Steward's HTTP API, typed: `paths` and `components` are generated from the
// server's /api/v1/openapi.json by openapi-typescript (src/schema.d.ts, never
// edited by hand: clients/check.sh regenerates and compares it); openapi-fetch
// makes the calls.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
export type StewardClient = Client<paths>;
/** `{error: {code, reason, message}}`: every error answer's body. */
export type ErrorBody = components["schemas"]["ErrorBody"];

export interface StewardOptions {
  /** As `steward serve` prints it: `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An access token (`POST /api/v1/auth/login`) or an API key (`stw_key_...`). */
  token?: string;
  /** A fetch of your own (timeouts, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** A client of Steward's whole API: `client.GET("/api/v1/orgs/{org}/members", ...)`. */
export function createStewardClient({ baseUrl, token, fetch }: StewardOptions): StewardClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, ""), fetch });
  if (token) {
    const bearer: Middleware = {
      onRequest({ request }) {
        request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    };
    client.use(bearer);
  }
  return client;
}
