// The admin API (/admin/v1, same origin) over fetch. In smart mode the admin token is asked for
// once and kept in sessionStorage (gone when the tab closes); in development mode none is needed.
const TOKEN_KEY = "duet-admin-token";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: { pointer: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Called when the API answers 401: the app shows the sign-in form.
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(callback: () => void): void {
  onUnauthorized = callback;
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`/admin/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, `the gateway did not answer (${String(e)})`);
  }
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(401, "the admin token was refused; sign in again");
  }
  if (!response.ok) {
    const error = json?.error;
    const message = typeof error === "string" ? error : error?.message ?? `HTTP ${response.status}`;
    throw new ApiError(response.status, message, error?.problems ?? []);
  }
  return json as T;
}
