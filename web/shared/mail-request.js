// A form with one email field that asks the API to mail a link: the forgot-password page
// (reset link) and the verify page (a new verification link). The API answers 202 with
// the same body whether or not the address has an account, so the page never tells
// either: it shows the same neutral words for every address.

import { request } from "./api.js";
import { busy, clearFieldErrors, h, say, setFieldError, showProblem } from "./ui.js";

/**
 * Sends `{email}` to `path` (POST) when `form` is submitted, and shows `neutral` (a
 * sentence) in `message` once the API accepted it, or the problem body when it didn't.
 */
export function mailRequestForm({ form, email, submit, message, path, neutral }) {
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
    const result = await request("POST", path, { body: { email: address } });
    done();
    if (result.ok) {
      say(message, "success", h("p", { text: neutral }),
        h("p", { text: "Nothing arrived? Check your spam folder, or send the request again in a few minutes." }));
      return;
    }
    showProblem(message, result.problem, { form, fields: { email } });
  });
}
