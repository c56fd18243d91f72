// Copying text to the clipboard from a button: the Clipboard API where the page may use it
// (a secure context: https, or http on localhost), else the older copy command on a
// selected, off-screen text area.

import { h } from "../shared/ui.js";

/** Copies text; resolves true when it was copied. Focus returns where it was. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      /* refused (no permission, page not focused): try the copy command */
    }
  }
  const focused = document.activeElement;
  const area = h("textarea", { class: "visually-hidden", readOnly: true, value: text, attrs: { "aria-hidden": "true" } });
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  if (focused && focused.isConnected) focused.focus();
  return copied;
}
