// The recovery codes, shown once right after two-factor sign-in is turned on or the codes
// are renewed (the server keeps only their hashes): a list, "copy", "download .txt", and
// "I have saved them", which removes them from the page.

import { byId, h, say } from "../shared/ui.js";
import { copyText } from "./copy.js";

let shown = null; // {codes, username, region, done}

function asText() {
  return `Recovery codes for ${shown.username} at ${window.location.host}\n` +
    "Each code signs you in once instead of a code from your authenticator app.\n\n" +
    shown.codes.join("\n") + "\n";
}

/**
 * Shows `codes` in #mfa-codes; `region` takes the copy messages; `done()` runs when the
 * user says they are saved.
 */
export function showCodes(codes, { username, region, done }) {
  shown = { codes, username, region, done };
  byId("mfa-codes-list").replaceChildren(...codes.map((code) => h("li", {}, h("code", { text: code }))));
  byId("mfa-codes").hidden = false;
  byId("mfa-codes-title").setAttribute("tabindex", "-1");
  byId("mfa-codes-title").focus();
}

byId("mfa-codes-copy").addEventListener("click", async () => {
  const copied = await copyText(shown.codes.join("\n"));
  say(shown.region, copied ? "success" : "error", copied ? "The 10 recovery codes are copied."
    : "The codes couldn't be copied: select them and copy them yourself, or download them.");
});

byId("mfa-codes-download").addEventListener("click", () => {
  const url = URL.createObjectURL(new Blob([asText()], { type: "text/plain;charset=utf-8" }));
  const link = h("a", { href: url, download: `recovery-codes-${shown.username}.txt`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has read the blob once the click's navigation started.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  say(shown.region, "success", `Downloading recovery-codes-${shown.username}.txt.`);
});

/** Removes the codes from the page. */
export function forgetCodes() {
  shown = null;
  byId("mfa-codes-list").replaceChildren();
  byId("mfa-codes").hidden = true;
}

byId("mfa-codes-done").addEventListener("click", () => {
  const { done } = shown;
  forgetCodes();
  done();
});
