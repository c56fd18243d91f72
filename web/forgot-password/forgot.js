// /forgot-password: asks for the reset mail. The answer is the same whether or not the
// address has an account (the API answers 202 either way), so the page never tells.

import { request } from "../shared/api.js";
import { byId, busy, clearFieldErrors, h, say, setFieldError, showProblem } from "../shared/ui.js";

const form = byId("forgot-form");
const email = byId("email");
const message = byId("message");
const submit = byId("forgot-submit");

const NEUTRAL =
  "If an account uses this address, a mail with a link to reset the password is on its way. " +
  "The link works once and for a limited time; only the latest link works.";

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  say(message, "info");
  const address = email.value.trim();
  if (!address) {
    setFieldError(email, "Enter your email address.");
    email.focus();
    return;
  }
  const done = busy(submit, "Sending…");
  const result = await request("POST", "/api/auth/password/forgot", { body: { email: address } });
  done();
  if (result.ok) {
    say(message, "success", h("p", { text: NEUTRAL }),
      h("p", { text: "Nothing arrived? Check your spam folder, or send the request again in a few minutes." }));
    return;
  }
  showProblem(message, result.problem, { form, fields: { email } });
});

email.focus();
