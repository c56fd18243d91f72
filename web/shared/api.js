// Calls to the auth-fcgi API on this same origin (the pages run under
// `connect-src 'self'`). Every call resolves, never rejects: {ok, status, data, problem,
// headers}. `problem` is the RFC 9457 body of an error (code, detail, errors[]), or one
// made up here when the server couldn't be reached or didn't answer with problem+json.

const JSON_TYPE = "application/json";

/** A problem object for failures that have no problem+json body. */
export function localProblem(code, detail, status = 0) {
  return { type: "about:blank", title: "", status, code, detail, errors: [] };
}

/**
 * request(method, path, {token, body, signal}) -> Promise<{ok, status, data, problem, headers}>
 * `token` is sent as `Authorization: Bearer`; `body` (an object) as JSON.
 */
export async function request(method, path, options = {}) {
  const headers = { Accept: `${JSON_TYPE}, application/problem+json` };
  const init = { method, headers, credentials: "same-origin", cache: "no-store", signal: options.signal };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) {
    headers["Content-Type"] = JSON_TYPE;
    init.body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    return {
      ok: false, status: 0, data: null, headers: new Headers(),
      problem: localProblem("network_error",
        "The server can't be reached. Check your connection and try again."),
    };
  }
  let data = null;
  const text = await response.text().catch(() => "");
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) {
    return { ok: true, status: response.status, data, problem: null, headers: response.headers };
  }
  let problem = data && typeof data === "object" && typeof data.code === "string" ? data : null;
  if (!problem) {
    problem = localProblem("http_error",
      `The server answered ${response.status} ${response.statusText || ""}`.trim() + ".", response.status);
  }
  if (!Array.isArray(problem.errors)) problem.errors = [];
  if (typeof problem.detail !== "string" || !problem.detail) {
    problem.detail = problem.title || `The request failed (${problem.code}).`;
  }
  const retryAfter = response.headers.get("Retry-After");
  if (retryAfter) problem.retryAfter = Number(retryAfter);
  return { ok: false, status: response.status, data, problem, headers: response.headers };
}
