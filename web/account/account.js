// The account page at /account/: any user signs in (with the second step when its
// two-factor sign-in is on) and sees its profile, resends the verification mail of an
// unverified address, turns two-factor sign-in on and off (./two-factor.js), changes its
// password (./password.js) and revokes its sessions (./sessions.js). One view after
// signing in; each card shows its own messages next to it.

import { request } from "../shared/api.js";
import { clearMessages, fail, inform } from "../shared/messages.js";
import * as session from "../shared/session.js";
import { signInSteps } from "../shared/sign-in.js";
import { busy, byId, clear, clearFieldErrors, formatTime, h, say, showProblem } from "../shared/ui.js";
import { loadSessions } from "./sessions.js";
import { forgetTwoFactor, renderTwoFactor } from "./two-factor.js";
import "./password.js";

let current = null; // "view-signin" | "view-account"

function show(view) {
  byId("app-loading").hidden = true;
  const changed = current !== view;
  current = view;
  for (const id of ["view-signin", "view-account"]) byId(id).hidden = id !== view;
  document.title = view === "view-signin" ? "Sign in · Your account" : "Your account";
  return changed;
}

// --- signing in and out ----------------------------------------------------------------

function showAccount(user) {
  byId("account").hidden = !user;
  byId("account-name").textContent = user ? user.username : "";
}

const resetSignIn = signInSteps({
  signedIn(pair) {
    session.begin(pair);
    showSignedIn();
  },
  fail,
  inform,
  clearMessages,
});

/** Nothing of the last user stays in the page: its codes, key, sessions, messages. */
function forgetAccount() {
  forgetTwoFactor();
  byId("sessions-list").replaceChildren();
  const passwordForm = byId("password-form");
  passwordForm.reset();
  clearFieldErrors(passwordForm);
  for (const region of byId("view-account").querySelectorAll(".message[role]")) clear(region);
}

function showSignIn() {
  forgetAccount();
  showAccount(null);
  const changed = show("view-signin");
  resetSignIn();
  if (changed) byId("signin-login").focus();
}

function showSignedIn() {
  clearMessages();
  const changed = show("view-account");
  renderProfile(session.currentUser());
  loadSessions();
  if (changed) {
    const heading = byId("account-title");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

session.configure({
  key: "auth-fcgi-account.session",
  ended(problem) {
    showSignIn();
    const why = problem && problem.detail ? ` (${problem.detail})` : "";
    inform("error", `Your session has ended${why}. Sign in again to continue.`);
  },
  user(user) {
    showAccount(user);
    renderProfile(user);
  },
});

byId("sign-out").addEventListener("click", async () => {
  await session.logout();
  showSignIn();
  inform("success", "You are signed out.");
});

// --- the profile -------------------------------------------------------------------------

function fact(term, value) {
  return h("div", {}, h("dt", { text: term }), h("dd", { text: value }));
}

function renderProfile(user) {
  if (!user || current !== "view-account") return;
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  byId("account-title").textContent = name ? `${name} (${user.username})` : user.username;
  byId("profile-badges").replaceChildren(
    user.email_verified ? h("span", { class: "badge ok", text: "Email verified" })
      : h("span", { class: "badge pending", text: "Email not verified" }),
    user.mfa_enabled ? h("span", { class: "badge ok", text: "Two-factor on" }) : h("span", { class: "badge off", text: "Two-factor off" }),
  );
  byId("profile-facts").replaceChildren(
    fact("Username", user.username),
    fact("Email", user.email),
    fact("Member since", formatTime(user.created_at)),
    fact("Last sign-in", formatTime(user.last_login_at)),
  );
  byId("verify-card").hidden = user.email_verified;
  byId("verify-state").textContent = `${user.email} isn't verified yet. Open the link in the verification mail, ` +
    "or ask for a new mail.";
  renderTwoFactor(user);
}

// The public resend endpoint: it answers the same for every address (contract §3 "Email
// verification"), so its neutral message is what is shown.
byId("resend-verification").addEventListener("click", async (event) => {
  const message = byId("verify-message");
  const user = session.currentUser();
  const done = busy(event.currentTarget, "Sending…");
  const result = await request("POST", "/api/auth/email/resend", { body: { email: user.email } });
  done();
  if (!result.ok) {
    showProblem(message, result.problem);
    return;
  }
  say(message, "success", result.data.message);
});

// --- start -------------------------------------------------------------------------------

async function start() {
  const user = session.restore();
  if (!user) {
    showSignIn();
    return;
  }
  showAccount(user);
  showSignedIn();
  // The stored session may be stale (revoked, changed elsewhere): ask the server.
  const result = await session.call("GET", "/api/auth/whoami");
  if (result.ok) session.setUser(result.data.user);
  else if (session.signedIn()) fail(result.problem); // unreachable: keep the session
}

start();
