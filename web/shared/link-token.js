// The token of a mailed link (/reset-password?token=..., /verify-email?token=...), read
// once and removed from the address bar (OWASP Forgot Password cheat sheet: the token
// must not stay in history, nor leak through Referer; nginx also sends Referrer-Policy:
// no-referrer). The caller keeps it in its module only.

/** The `token` query parameter ("" when there is none), after removing it from the URL. */
export function takeLinkToken() {
  const params = new URLSearchParams(window.location.search);
  const token = params.get("token");
  if (params.has("token")) {
    params.delete("token");
    const rest = params.toString();
    history.replaceState(history.state, "", window.location.pathname + (rest ? `?${rest}` : "") + window.location.hash);
  }
  return token ? token.trim() : "";
}
