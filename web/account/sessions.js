// The sessions card of the account page: GET /api/auth/sessions (newest first), the
// current one marked, every other one with a "Sign out" button (DELETE
// /api/auth/sessions/{id}). The current one ends with the top bar's "Sign out".

import * as session from "../shared/session.js";
import { busy, byId, clear, formatTime, h, say, showProblem } from "../shared/ui.js";

const list = byId("sessions-list");
const message = byId("sessions-message");
let sequence = 0;

/** "Firefox on Linux" from a User-Agent header, or the header itself when unknown. */
function describeAgent(agent) {
  if (!agent) return "Unknown device";
  const browser = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"],
    ["Safari/", "Safari"], ["curl/", "curl"]].find(([needle]) => agent.includes(needle));
  const system = [["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iPadOS"], ["Windows", "Windows"],
    ["Mac OS X", "macOS"], ["CrOS", "ChromeOS"], ["Linux", "Linux"]].find(([needle]) => agent.includes(needle));
  if (!browser) return agent.length > 60 ? `${agent.slice(0, 57)}…` : agent;
  return system ? `${browser[1]} on ${system[1]}` : browser[1];
}

function item(entry) {
  const where = [entry.ip, `signed in ${formatTime(entry.created_at)}`,
    `last active ${formatTime(entry.last_used_at)}`, `until ${formatTime(entry.expires_at)}`].filter(Boolean);
  const name = h("strong", { text: describeAgent(entry.user_agent), title: entry.user_agent || "" });
  const control = entry.current
    ? h("span", { class: "badge ok", text: "This session" })
    : h("button", {
      type: "button", class: "secondary", text: "Sign out",
      attrs: { "aria-label": `Sign out the session of ${describeAgent(entry.user_agent)}, signed in ${formatTime(entry.created_at)}` },
      onclick: (event) => revoke(entry, event.currentTarget),
    });
  return h("li", { class: "session", dataset: { sessionId: entry.id, current: String(entry.current) } },
    h("div", {}, name, h("p", { class: "muted", text: where.join(" · ") })), control);
}

/** (Re)loads the list; a later call wins over an earlier one still under way. */
export async function loadSessions() {
  const mine = ++sequence;
  byId("sessions-loading").hidden = false;
  list.setAttribute("aria-busy", "true");
  const result = await session.call("GET", "/api/auth/sessions");
  if (mine !== sequence) return;
  byId("sessions-loading").hidden = true;
  list.removeAttribute("aria-busy");
  if (!result.ok) {
    if (session.signedIn()) showProblem(message, result.problem);
    return;
  }
  list.replaceChildren(...result.data.items.map(item));
}

async function revoke(entry, button) {
  clear(message);
  const done = busy(button, "Signing out…");
  const result = await session.call("DELETE", `/api/auth/sessions/${encodeURIComponent(entry.id)}`);
  done();
  if (!result.ok && result.problem.code !== "session_not_found") {
    if (session.signedIn()) showProblem(message, result.problem);
    return;
  }
  say(message, "success", `The session of ${describeAgent(entry.user_agent)} is signed out.`);
  await loadSessions();
  byId("sessions-title").focus();
}
