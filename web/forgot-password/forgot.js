// /forgot-password: asks for the reset mail. The answer is the same whether or not the
// address has an account (the API answers 202 either way), so the page never tells.

import { mailRequestForm } from "../shared/mail-request.js";
import { byId } from "../shared/ui.js";

const email = byId("email");

mailRequestForm({
  form: byId("forgot-form"),
  email,
  submit: byId("forgot-submit"),
  message: byId("message"),
  path: "/api/auth/password/forgot",
  neutral:
    "If an account uses this address, a mail with a link to reset the password is on its way. " +
    "The link works once and for a limited time; only the latest link works.",
});

email.focus();
