// The console's API client: openapi-fetch over the types generated from
// api/openapi.yaml (src/api/schema.d.ts, made by `npm run gen`), so every
// path, parameter and body is checked against the contract at build time.
// It adds the session's CSRF token to unsafe requests and reports a lost
// session (401) to whoever listens; it keeps no other state.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type ApiError = Schemas["Error"]["error"];

let csrfToken: string | null = null;
let onUnauthenticated: ((code: string) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthenticatedHandler(handler: ((code: string) => void) | null): void {
  onUnauthenticated = handler;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method) && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    // A failed login is the login form's business, not a lost session.
    const isLogin = request.method === "POST" && new URL(request.url).pathname === "/api/v1/session";
    if (response.status === 401 && !isLogin && onUnauthenticated) {
      let code = "E_UNAUTHENTICATED";
      try {
        const body = (await response.clone().json()) as { error?: { code?: string } };
        code = body.error?.code ?? code;
      } catch {
        // Not JSON: keep the generic code.
      }
      onUnauthenticated(code);
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: "",
  credentials: "same-origin",
  querySerializer: { array: { style: "form", explode: false } },
});
api.use(sessionMiddleware);

// The message to show for an error body (or a network failure).
export function errorMessage(error: unknown, fallback = "The request failed"): string {
  if (error && typeof error === "object" && "error" in error) {
    const e = (error as { error?: Partial<ApiError> }).error;
    if (e?.message) return e.field ? `${e.message} (${e.field})` : e.message;
  }
  if (error instanceof Error) return `${fallback}: ${error.message}`;
  return fallback;
}
