// The password-reset page: /reset-password?token=... (the link of the reset mail).
// Reads the token once, keeps it in this module only, and removes it from the address
// bar (../shared/link-token.js).

import { request } from "../shared/api.js";
import { takeLinkToken } from "../shared/link-token.js";
import { byId, busy, clearFieldErrors, h, say, setFieldError, showProblem } from "../shared/ui.js";

const form = byId("reset-form");
const message = byId("message");
const password = byId("new-password");
const confirmation = byId("confirm-password");
const submit = byId("reset-submit");

const token = takeLinkToken();

function showInvalidLink(text) {
  form.hidden = true;
  byId("request-new").hidden = false;
  say(message, "error", text);
}

function showDone(text) {
  form.hidden = true;
  byId("request-new").hidden = true;
  byId("done").hidden = false;
  byId("title").textContent = "Password changed";
  say(message, "success",
    h("p", { text: text || "Your password has been changed." }),
    h("p", { text: "For your safety every device signed in to your account was signed out. Sign in with your new password." }));
  byId("sign-in-link").focus();
}

byId("show-passwords").addEventListener("change", (event) => {
  const type = event.target.checked ? "text" : "password";
  password.type = type;
  confirmation.type = type;
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  say(message, "info");
  if (!password.value) {
    setFieldError(password, "Enter a new password.");
    password.focus();
    return;
  }
  if (password.value !== confirmation.value) {
    setFieldError(confirmation, "The two passwords are not the same. Type the new password again.");
    confirmation.focus();
    return;
  }
  const done = busy(submit, "Changing password…");
  const result = await request("POST", "/api/auth/password/reset", {
    body: { token, new_password: password.value },
  });
  done();
  if (result.ok) {
    password.value = "";
    confirmation.value = "";
    showDone();
    return;
  }
  const problem = result.problem;
  if (problem.code === "reset_token_invalid") {
    showInvalidLink(
      "This reset link can't be used any more: it has expired, it was already used, " +
      "or a newer link was requested since. Request a new link and use the latest mail.");
    return;
  }
  if (problem.code === "validation_failed") {
    const fields = { new_password: password };
    showProblem(message, problem, {
      form, fields, lead: h("p", { text: "Choose another password:" }),
    });
    return;
  }
  showProblem(message, problem, { form });
});

byId("loading").hidden = true;
if (!token) {
  showInvalidLink("This page needs the link from your password-reset mail. Open the link from the mail, or request a new one.");
} else {
  form.hidden = false;
  password.focus();
}
