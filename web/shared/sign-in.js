// Sign-in in two steps, for the admin console and the account page (contract §3 "Login",
// "Two-factor sign-in with TOTP"). Step one sends the username or email and the password;
// an account with two-factor sign-in on is answered 403 `mfa_required` with an
// `mfa_token`, and step two sends that token with a 6-digit code from the authenticator
// app or, after the "use a recovery code" switch, a recovery code. The mfa_token lives in
// this module only (5 minutes, one successful use); when the server calls it expired or
// used, the page goes back to step one and says so.
//
// The page's markup has the ids used below: #signin-form (#signin-login,
// #signin-password, #signin-submit) and #mfa-form (#mfa-code-field, #mfa-code,
// #mfa-recovery-field, #mfa-recovery, #mfa-switch, #mfa-submit, #mfa-cancel).

import { request } from "./api.js";
import { busy, byId, clearFieldErrors, setFieldError } from "./ui.js";

/**
 * Wires both steps. `signedIn(pair)` gets the token pair of a finished sign-in;
 * `fail(problem, {form, fields})`, `inform(kind, text)` and `clearMessages()` are the
 * page's message regions. Returns `reset()`: back to step one, password emptied.
 */
export function signInSteps({ signedIn, fail, inform, clearMessages }) {
  const loginForm = byId("signin-form");
  const login = byId("signin-login");
  const password = byId("signin-password");
  const mfaForm = byId("mfa-form");
  const code = byId("mfa-code");
  const recovery = byId("mfa-recovery");
  const switchButton = byId("mfa-switch");
  let mfaToken = null;
  let useRecovery = false;

  function setMethod(recoveryCode) {
    useRecovery = recoveryCode;
    byId("mfa-code-field").hidden = recoveryCode;
    byId("mfa-recovery-field").hidden = !recoveryCode;
    switchButton.textContent = recoveryCode ? "Use a code from your app instead" : "Use a recovery code instead";
    clearFieldErrors(mfaForm);
  }

  function reset() {
    mfaToken = null;
    code.value = "";
    recovery.value = "";
    password.value = "";
    setMethod(false);
    mfaForm.hidden = true;
    loginForm.hidden = false;
  }

  function stepTwo(token) {
    mfaToken = token;
    loginForm.hidden = true;
    mfaForm.hidden = false;
    setMethod(false);
    inform("info", "Your password is right. Your account has two-factor sign-in on: one more step.");
    code.focus();
  }

  /** Back to step one with a message, the login kept, the password to type again. */
  function restart(show) {
    reset();
    show();
    (login.value ? password : login).focus();
  }

  loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(loginForm);
    clearMessages();
    let missing = false;
    if (!login.value.trim()) {
      setFieldError(login, "Enter your username or email.");
      missing = true;
    }
    if (!password.value) {
      setFieldError(password, "Enter your password.");
      missing = true;
    }
    if (missing) {
      loginForm.querySelector("[aria-invalid]").focus();
      return;
    }
    const name = login.value.trim();
    const body = name.includes("@") ? { email: name, password: password.value } : { username: name, password: password.value };
    const done = busy(byId("signin-submit"), "Signing in…");
    const result = await request("POST", "/api/auth/login", { body });
    done();
    password.value = "";
    if (result.ok) {
      signedIn(result.data);
      return;
    }
    if (result.problem.code === "mfa_required" && typeof result.problem.mfa_token === "string") {
      stepTwo(result.problem.mfa_token);
      return;
    }
    fail(result.problem, { form: loginForm, fields: { username: login, email: login, password } });
  });

  switchButton.addEventListener("click", () => {
    setMethod(!useRecovery);
    (useRecovery ? recovery : code).focus();
  });

  byId("mfa-cancel").addEventListener("click", () => restart(clearMessages));

  mfaForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(mfaForm);
    clearMessages();
    const input = useRecovery ? recovery : code;
    // Authenticator apps show the code as "123 456": the spaces are not part of it.
    const value = useRecovery ? recovery.value.trim() : code.value.replace(/\s+/g, "");
    if (!value) {
      setFieldError(input, useRecovery ? "Enter one of your recovery codes." : "Enter the code from your app.");
      input.focus();
      return;
    }
    if (!useRecovery && !/^[0-9]{6}$/.test(value)) {
      setFieldError(code, "The code is 6 digits.");
      code.focus();
      return;
    }
    const body = useRecovery ? { mfa_token: mfaToken, recovery_code: value } : { mfa_token: mfaToken, code: value };
    const done = busy(byId("mfa-submit"), "Checking…");
    const result = await request("POST", "/api/auth/login/mfa", { body });
    done();
    if (result.ok) {
      reset();
      signedIn(result.data);
      return;
    }
    const problem = result.problem;
    switch (problem.code) {
      case "mfa_code_invalid":
        input.value = "";
        fail(problem, { form: mfaForm });
        setFieldError(input, useRecovery ? "This recovery code is wrong or was already used." : "This code is wrong or was already used: wait for the next one.");
        input.focus();
        return;
      case "token_invalid":
      case "token_expired":
        restart(() => inform("error",
          "This sign-in expired or was already completed (the second step must follow within 5 minutes). " +
          "Sign in again with your password."));
        return;
      case "account_locked":
      case "account_disabled":
        restart(() => fail(problem));
        return;
      default: // the server unreachable, too many requests, ...: the step can be tried again
        fail(problem, { form: mfaForm, fields: { code, recovery_code: recovery } });
    }
  });

  return reset;
}
