// The two message regions at the top of a signed-in page (#notice, polite; #error,
// assertive): one shows at a time.

import { byId, clear, say, showProblem } from "./ui.js";

const notice = byId("notice");
const errorBox = byId("error");

/** A message in the notice region ("info", "success", or "error" for a local one). */
export function inform(kind, ...content) {
  clear(errorBox);
  say(notice, kind, ...content);
}

/** A problem body in the error region (see ui.js showProblem for the options). */
export function fail(problem, options) {
  clear(notice);
  showProblem(errorBox, problem, options);
}

export function clearMessages() {
  clear(notice);
  clear(errorBox);
}
