// The signed-in tokens of a page (the admin console, the account page): kept in
// sessionStorage under the page's own key (this tab only, gone when it closes; never
// localStorage or cookies), refreshed with the refresh token before the access token
// expires (`expires_in` of the token pair), and on a 401 once before giving up.

import { localProblem, request } from "./api.js";

const MIN_DELAY_MS = 1000;

let storageKey = null; // set by configure(), before restore()

let state = null; // {access, refresh, expiresAt (ms), lifetime (s), user}
let timer = null;
let refreshing = null;
let onEnd = () => {};
let onUser = () => {};

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: tokens stay in memory only
  }
}

function save() {
  const store = storage();
  if (!store) return;
  if (state) store.setItem(storageKey, JSON.stringify(state));
  else store.removeItem(storageKey);
}

function load() {
  const store = storage();
  if (!store) return null;
  try {
    const value = JSON.parse(store.getItem(storageKey) || "null");
    if (value && typeof value.access === "string" && typeof value.refresh === "string") return value;
  } catch {
    /* ignore a damaged entry */
  }
  store.removeItem(storageKey);
  return null;
}

/** How long before expiry to refresh: a minute, or a quarter of a short lifetime. */
function marginMs() {
  return Math.min(60, state.lifetime / 4) * 1000;
}

function refreshDelay() {
  return Math.max(MIN_DELAY_MS, state.expiresAt - marginMs() - Date.now());
}

function schedule() {
  clearTimeout(timer);
  timer = null;
  if (state) timer = setTimeout(() => refresh(), refreshDelay());
}

function adopt(pair) {
  const lifetime = Number(pair.expires_in) > 0 ? Number(pair.expires_in) : 900;
  state = {
    access: pair.access_token,
    refresh: pair.refresh_token,
    lifetime,
    expiresAt: Date.now() + lifetime * 1000,
    user: pair.user || (state && state.user) || null,
  };
  save();
  schedule();
  if (state.user) onUser(state.user);
}

/**
 * `key`: the sessionStorage entry of this page's tokens. Callbacks: ended(problem) when
 * the session can't go on; user(user) when it changes.
 */
export function configure({ key, ended, user }) {
  storageKey = key;
  if (ended) onEnd = ended;
  if (user) onUser = user;
}

export function restore() {
  state = load();
  if (state) schedule();
  return state ? state.user : null;
}

export const signedIn = () => state !== null;
export const currentUser = () => (state ? state.user : null);

export function setUser(user) {
  if (!state) return;
  state.user = user;
  save();
  onUser(user);
}

/** Starts a session from a token pair (the login answer). */
export function begin(pair) {
  adopt(pair);
}

/** Forgets the tokens without telling the server. */
export function drop() {
  clearTimeout(timer);
  timer = null;
  state = null;
  save();
}

function end(problem) {
  drop();
  onEnd(problem);
}

/** POST /api/auth/refresh with the refresh token; true when a new pair came back. */
export function refresh() {
  if (!state) return Promise.resolve(false);
  if (!refreshing) {
    const presented = state.refresh;
    refreshing = request("POST", "/api/auth/refresh", { token: presented })
      .then((result) => {
        if (!state || state.refresh !== presented) return Boolean(state);
        if (result.ok) {
          adopt(result.data);
          return true;
        }
        if (result.status === 0 || result.status >= 500 || result.status === 429) {
          // Not the session's fault: try again a little later, while the token lives.
          clearTimeout(timer);
          timer = setTimeout(() => refresh(), 5000);
          return false;
        }
        end(result.problem);
        return false;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/**
 * An API call with the access token: refreshes first when the token is (nearly)
 * expired, and once more after a 401; a 401 after that ends the session.
 */
export async function call(method, path, body) {
  if (!state) return { ok: false, status: 401, data: null, problem: localProblem("signed_out", "You are signed out.") };
  if (Date.now() > state.expiresAt - 5000) await refresh();
  if (!state) return { ok: false, status: 401, data: null, problem: localProblem("signed_out", "You are signed out.") };
  let result = await request(method, path, { token: state.access, body });
  if (result.status === 401 && state) {
    if (await refresh()) result = await request(method, path, { token: state.access, body });
    if (result.status === 401 && state) end(result.problem);
  } else if (result.status === 403 && result.problem && result.problem.code === "account_disabled") {
    end(result.problem);
  }
  return result;
}

/** Sign-out: POST /api/auth/logout, then forget the tokens whatever the answer. */
export async function logout() {
  if (!state) return;
  const token = state.access;
  drop();
  await request("POST", "/api/auth/logout", { token });
}

// A throttled background tab may miss the timer: check again when it becomes visible.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state && Date.now() > state.expiresAt - marginMs()) {
    refresh();
  }
});
