// Small DOM helpers shared by the pages: element building, the message regions, field
// errors from a problem body's errors[], busy buttons. No markup is ever parsed from
// strings: text from the server is always set as text.

export const byId = (id) => document.getElementById(id);

/** h("p", {class: "x", text: "hi", attrs: {"aria-live": "polite"}}, child, ...) */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "attrs") for (const [a, v] of Object.entries(value)) node.setAttribute(a, v);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * Puts content into a message region (an aria-live element): a string or nodes.
 * `kind` ("info", "success", "error") is exposed as data-kind for the styles.
 * Empty content empties the region.
 */
export function say(region, kind, ...content) {
  if (!region) return;
  const parts = content.flat().filter((c) => c !== null && c !== undefined && c !== "");
  region.dataset.kind = kind;
  region.replaceChildren(...parts.map((c) => (c instanceof Node ? c : h("p", { text: String(c) }))));
  // The region itself stays in the page (an empty one takes no space): screen readers
  // announce changes of a live region only if it was there before the change.
  region.hidden = false;
}

export function clear(region) {
  say(region, "info");
}

function errorNodeFor(input) {
  const id = `${input.id}-error`;
  let node = document.getElementById(id);
  if (!node) {
    node = h("p", { id, class: "field-error", hidden: true });
    const anchor = input.closest(".field") || input.parentElement;
    anchor.append(node);
  }
  return node;
}

function describedBy(input, id, add) {
  const ids = new Set((input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  if (add) ids.add(id);
  else ids.delete(id);
  if (ids.size) input.setAttribute("aria-describedby", [...ids].join(" "));
  else input.removeAttribute("aria-describedby");
}

/** Marks one field invalid with a message (or clears it with message = ""). */
export function setFieldError(input, message) {
  const node = errorNodeFor(input);
  node.textContent = message || "";
  node.hidden = !message;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    describedBy(input, node.id, true);
  } else {
    input.removeAttribute("aria-invalid");
    describedBy(input, node.id, false);
  }
}

export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) setFieldError(input, "");
  for (const node of form.querySelectorAll(".field-error")) {
    node.textContent = "";
    node.hidden = true;
  }
}

/**
 * Shows a problem body: its `detail` in `region`, each errors[] entry next to its field
 * (`fields` maps the API's field names to inputs), entries without a field in the region
 * too. Focuses the first invalid field. Returns the number of field messages shown.
 */
export function showProblem(region, problem, { form = null, fields = {}, lead = null } = {}) {
  if (form) clearFieldErrors(form);
  const loose = [];
  let first = null;
  let shown = 0;
  for (const entry of problem.errors || []) {
    const input = fields[entry.field];
    const message = entry.message || entry.code || "Invalid value.";
    if (input) {
      const previous = input.getAttribute("aria-invalid") ? errorNodeFor(input).textContent + " " : "";
      setFieldError(input, previous + message);
      first = first || input;
      shown += 1;
    } else {
      loose.push(entry.field ? `${entry.field}: ${message}` : message);
    }
  }
  const parts = [];
  if (lead) parts.push(lead);
  parts.push(h("p", { class: "problem-detail", text: problem.detail }));
  if (loose.length) parts.push(h("ul", { class: "problem-errors" }, loose.map((m) => h("li", { text: m }))));
  if (problem.retryAfter > 0) {
    parts.push(h("p", { text: `Try again in ${problem.retryAfter} second${problem.retryAfter === 1 ? "" : "s"}.` }));
  }
  say(region, "error", parts);
  if (first) first.focus();
  return shown;
}

/** Disables a button while work runs and shows `label` on it; returns an undo function. */
export function busy(button, label) {
  const original = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (label) button.textContent = label;
  return () => {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = original;
  };
}

/** A timestamp from the API (RFC 3339) as local date and time, or `fallback`. */
export function formatTime(value, fallback = "never") {
  if (!value) return fallback;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The date alone (for tables); the full value is in the element's title. */
export function formatDate(value, fallback = "never") {
  if (!value) return fallback;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return h("time", { dateTime: value, title: formatTime(value), text: date.toLocaleDateString(undefined, { dateStyle: "medium" }) });
}
