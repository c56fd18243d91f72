// The email-verification page: /verify-email?token=... (the link of the verification
// mail). Reads the token once, keeps it in this module only, removes it from the address
// bar (../shared/link-token.js) and sends it at once: there is nothing to type. A link
// that can't be used any more, or a visit without one, offers to mail a new link.

import { request } from "../shared/api.js";
import { takeLinkToken } from "../shared/link-token.js";
import { mailRequestForm } from "../shared/mail-request.js";
import { busy, byId, h, say, showProblem } from "../shared/ui.js";

const message = byId("message");
const resendForm = byId("resend-form");
const resendEmail = byId("resend-email");
const retry = byId("retry");

const token = takeLinkToken();

mailRequestForm({
  form: resendForm,
  email: resendEmail,
  submit: byId("resend-submit"),
  message,
  path: "/api/auth/email/resend",
  neutral:
    "If an account with an address still to verify uses this one, a mail with a new link is on its way. " +
    "The link works once and for a limited time; only the latest link works.",
});

/** The page offers a new link: the resend form, with `text` above it. */
function offerNewLink(kind, text) {
  byId("retry-row").hidden = true;
  resendForm.hidden = false;
  say(message, kind, text);
  resendEmail.focus();
}

function showVerified(user) {
  byId("retry-row").hidden = true;
  byId("title").textContent = "Email address verified";
  byId("done").hidden = false;
  say(message, "success",
    h("p", { text: `Thank you: ${user && user.email ? user.email : "your email address"} is verified.` }),
    h("p", { text: "You can sign in to your account." }));
  byId("sign-in-link").focus();
}

async function verify() {
  const done = busy(retry, "Verifying…");
  const result = await request("POST", "/api/auth/email/verify", { body: { token } });
  done();
  byId("loading").hidden = true;
  if (result.ok) {
    showVerified(result.data && result.data.user);
    return;
  }
  if (result.problem.code === "verification_token_invalid") {
    offerNewLink("error",
      "This verification link can't be used any more: it has expired, it was already used, " +
      "or a newer link was sent since. Ask for a new link below and use the latest mail.");
    return;
  }
  // Not an answer about the link (the server unreachable, too many requests, ...): the
  // token is still good for another try.
  showProblem(message, result.problem);
  byId("retry-row").hidden = false;
}

retry.addEventListener("click", () => {
  say(message, "info");
  byId("retry-row").hidden = true;
  byId("loading").hidden = false;
  verify();
});

if (!token) {
  byId("loading").hidden = true;
  offerNewLink("info",
    "This page needs the link from your verification mail. Open the link from the mail, or ask for a new one below.");
} else {
  verify();
}
