// The two-factor card of the account page (contract §3 "Two-factor sign-in with TOTP"):
// off → "turn on" starts an enrollment (QR code and the key typed by hand) → a code from
// the app confirms it → the recovery codes, once; on → "turn off" or "new recovery codes",
// each after the current password.
//
// The server's QR code is an SVG document: it is shown as an image (a data: URL in an
// <img>, allowed by the pages' img-src), never inserted into the page as markup.

import * as session from "../shared/session.js";
import { busy, byId, clear, clearFieldErrors, say, setFieldError, showProblem } from "../shared/ui.js";
import { copyText } from "./copy.js";
import { forgetCodes, showCodes } from "./recovery-codes.js";

const message = byId("two-factor-message");
const PARTS = ["mfa-off", "mfa-enroll", "mfa-codes", "mfa-on"];
let phase = "idle"; // "idle" (on or off), "enroll" (a secret pending), "codes" (codes shown)
let secret = "";

function showPart(id) {
  for (const part of PARTS) byId(part).hidden = part !== id;
}

/** The card for `user`; an enrollment or codes on screen stay until they are finished. */
export function renderTwoFactor(user) {
  if (phase === "codes" || (phase === "enroll" && !user.mfa_enabled)) return;
  phase = "idle";
  closePasswordForm();
  showPart(user.mfa_enabled ? "mfa-on" : "mfa-off");
}

/** Signed out: the key, the codes and the forms of the last user leave the page. */
export function forgetTwoFactor() {
  endEnrollment();
  forgetCodes();
  closePasswordForm();
  clear(message);
}

async function refreshUser() {
  const result = await session.call("GET", "/api/auth/whoami");
  if (result.ok) session.setUser(result.data.user);
}

function focusOn(id) {
  const node = byId(id);
  if (!node.hidden) node.focus();
}

/** The code typed into `input` without the spaces apps show, or null after saying why. */
function typedCode(input) {
  const code = input.value.replace(/\s+/g, "");
  if (/^[0-9]{6}$/.test(code)) return code;
  setFieldError(input, code ? "The code is 6 digits." : "Enter the code your app shows.");
  input.focus();
  return null;
}

// --- turning it on -----------------------------------------------------------------------

byId("mfa-start").addEventListener("click", async (event) => {
  clear(message);
  const done = busy(event.currentTarget, "Starting…");
  const result = await session.call("POST", "/api/auth/mfa/totp");
  done();
  if (!result.ok) {
    if (!session.signedIn()) return;
    showProblem(message, result.problem);
    if (result.problem.code === "mfa_already_enabled") await refreshUser();
    return;
  }
  const { qr_svg: svg } = result.data;
  secret = result.data.secret;
  const qr = byId("mfa-qr");
  if (typeof svg === "string" && svg) {
    qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    qr.hidden = false;
  } else {
    qr.removeAttribute("src");
    qr.hidden = true;
  }
  byId("mfa-no-qr").hidden = !qr.hidden;
  // Groups of 4 are easier to type; apps ignore the spaces.
  byId("mfa-secret").textContent = secret.replace(/(.{4})(?=.)/g, "$1 ");
  const form = byId("mfa-confirm-form");
  form.reset();
  clearFieldErrors(form);
  phase = "enroll";
  showPart("mfa-enroll");
  say(message, "info", "Add the account to your authenticator app, then enter the code it shows to finish.");
  byId("mfa-confirm-code").focus();
});

byId("mfa-copy-secret").addEventListener("click", async () => {
  const copied = await copyText(secret);
  say(message, copied ? "success" : "error",
    copied ? "The key is copied." : "The key couldn't be copied: select it and copy it yourself.");
});

function endEnrollment() {
  phase = "idle";
  secret = "";
  byId("mfa-secret").textContent = "";
  byId("mfa-qr").removeAttribute("src");
}

byId("mfa-enroll-cancel").addEventListener("click", () => {
  endEnrollment();
  clear(message);
  renderTwoFactor(session.currentUser());
  focusOn("mfa-start");
});

byId("mfa-confirm-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const input = byId("mfa-confirm-code");
  clearFieldErrors(form);
  clear(message);
  const code = typedCode(input);
  if (!code) return;
  const done = busy(byId("mfa-confirm-submit"), "Checking…");
  const result = await session.call("POST", "/api/auth/mfa/totp/confirm", { code });
  done();
  if (!result.ok) {
    if (!session.signedIn()) return;
    const problem = result.problem;
    showProblem(message, problem, { form, fields: { code: input } });
    if (problem.code === "mfa_code_invalid") {
      input.value = "";
      setFieldError(input, "This code is wrong or was already used: enter the one your app shows now.");
      input.focus();
    } else if (problem.code === "mfa_not_pending") {
      // Replaced or finished elsewhere (another tab): start again from what is true now.
      endEnrollment();
      await refreshUser();
    }
    return;
  }
  endEnrollment();
  phase = "codes";
  say(message, "success", "Two-factor sign-in is on. Save your recovery codes below before you go on.");
  session.setUser(result.data.user);
  showRecoveryCodes(result.data.recovery_codes);
});

function showRecoveryCodes(codes) {
  phase = "codes";
  showPart("mfa-codes");
  showCodes(codes, {
    username: session.currentUser().username,
    region: message,
    done() {
      phase = "idle";
      clear(message);
      renderTwoFactor(session.currentUser());
      focusOn("mfa-new-codes");
    },
  });
}

// --- when it is on: turn off, new recovery codes (both after the current password) ----------

const passwordForm = byId("mfa-password-form");
const passwordInput = byId("mfa-password");
const ACTIONS = {
  disable: {
    opener: "mfa-disable",
    title: "Turn off two-factor sign-in",
    why: "Signing in then needs only your password, and your recovery codes stop working. We mail you a notice.",
    submit: "Turn off two-factor sign-in",
    path: "/api/auth/mfa/totp/disable",
  },
  codes: {
    opener: "mfa-new-codes",
    title: "New recovery codes",
    why: "You get 10 new codes; the ones you have now stop working.",
    submit: "Make new recovery codes",
    path: "/api/auth/mfa/recovery-codes",
  },
};
let action = null;

function openPasswordForm(name) {
  action = ACTIONS[name];
  for (const other of Object.values(ACTIONS)) byId(other.opener).setAttribute("aria-expanded", String(other === action));
  byId("mfa-password-title").textContent = action.title;
  byId("mfa-password-why").textContent = action.why;
  const submit = byId("mfa-password-submit");
  submit.textContent = action.submit;
  submit.className = name === "disable" ? "danger" : "";
  passwordForm.reset();
  clearFieldErrors(passwordForm);
  clear(message);
  passwordForm.hidden = false;
  passwordInput.focus();
}

function closePasswordForm() {
  if (action) byId(action.opener).setAttribute("aria-expanded", "false");
  action = null;
  passwordForm.reset();
  passwordForm.hidden = true;
}

for (const [name, { opener }] of Object.entries(ACTIONS)) {
  byId(opener).setAttribute("aria-controls", "mfa-password-form");
  byId(opener).setAttribute("aria-expanded", "false");
  byId(opener).addEventListener("click", () => openPasswordForm(name));
}

byId("mfa-password-cancel").addEventListener("click", () => {
  const opener = action && action.opener;
  closePasswordForm();
  if (opener) focusOn(opener);
});

passwordForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(passwordForm);
  clear(message);
  if (!passwordInput.value) {
    setFieldError(passwordInput, "Enter your current password.");
    passwordInput.focus();
    return;
  }
  const chosen = action;
  const done = busy(byId("mfa-password-submit"), "Working…");
  const result = await session.call("POST", chosen.path, { current_password: passwordInput.value });
  done();
  passwordInput.value = "";
  if (!result.ok) {
    if (!session.signedIn()) return;
    showProblem(message, result.problem, { form: passwordForm, fields: { current_password: passwordInput } });
    if (result.problem.code === "current_password_incorrect") {
      setFieldError(passwordInput, result.problem.detail);
      passwordInput.focus();
    } else if (result.problem.code === "mfa_not_enabled") {
      await refreshUser();
    }
    return;
  }
  closePasswordForm();
  if (chosen === ACTIONS.codes) {
    say(message, "success", "New recovery codes are ready; the old ones no longer work. Save these below.");
    showRecoveryCodes(result.data.recovery_codes);
    return;
  }
  await refreshUser();
  say(message, "success", "Two-factor sign-in is off: your password alone signs you in now.");
  focusOn("mfa-start");
});
