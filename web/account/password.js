// The password card of the account page: POST /api/auth/password/change. The answer is a
// new token pair for this session (the server revokes every other session), which the
// page takes over; the session list is shown again without the others.

import * as session from "../shared/session.js";
import { busy, byId, clear, clearFieldErrors, say, setFieldError, showProblem } from "../shared/ui.js";
import { loadSessions } from "./sessions.js";

const form = byId("password-form");
const message = byId("password-message");
const inputs = { current_password: byId("password-current"), new_password: byId("password-new") };
const repeat = byId("password-repeat");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  clear(message);
  const missing = [
    [inputs.current_password, "Enter your current password."],
    [inputs.new_password, "Enter a new password."],
  ].filter(([input]) => !input.value);
  for (const [input, text] of missing) setFieldError(input, text);
  if (!missing.length && repeat.value !== inputs.new_password.value) {
    setFieldError(repeat, "The two new passwords differ.");
    missing.push([repeat]);
  }
  if (missing.length) {
    missing[0][0].focus();
    return;
  }
  const done = busy(byId("password-submit"), "Changing…");
  const result = await session.call("POST", "/api/auth/password/change", {
    current_password: inputs.current_password.value,
    new_password: inputs.new_password.value,
  });
  done();
  if (!result.ok) {
    if (!session.signedIn()) return;
    inputs.current_password.value = "";
    showProblem(message, result.problem, { form, fields: inputs });
    if (result.problem.code === "current_password_incorrect") {
      setFieldError(inputs.current_password, result.problem.detail);
      inputs.current_password.focus();
    }
    return;
  }
  session.begin(result.data);
  form.reset();
  say(message, "success", "Your password is changed. Every other session was signed out.");
  loadSessions();
});
