// The admin console at /admin/: sign-in (admins only; with the second step when the
// account has two-factor sign-in on), the user list (search, filters, sorting, paging),
// one user (edit, mark verified, resend verification, unlock, turn off two-factor sign-in,
// revoke sessions, delete), a new user.
// Routes live in the hash: #/users?q=...&page=2, #/users/7, #/new.
//
// The page offers only what the API allows (contract §3 "Users"): another ADMIN can't be
// changed, disabled, demoted, deleted or have its sessions revoked (only unlocked); the
// last active admin can't be demoted, disabled or deleted. Every refusal still shows the
// problem body's detail and field messages.

import { request } from "../shared/api.js";
import { clearMessages, fail, inform } from "../shared/messages.js";
import * as session from "../shared/session.js";
import { signInSteps } from "../shared/sign-in.js";
import { busy, byId, clearFieldErrors, formatDate, formatTime, h, setFieldError } from "../shared/ui.js";

const VIEWS = ["view-signin", "view-list", "view-user", "view-create"];
let currentView = null;
let flash = null; // a message to show after the next navigation
let lastListHash = "#/users";

// --- views ------------------------------------------------------------------------

function show(view) {
  byId("app-loading").hidden = true;
  const changed = currentView !== view;
  currentView = view;
  for (const id of VIEWS) byId(id).hidden = id !== view;
  const title = { "view-signin": "Sign in", "view-list": "Users", "view-user": "User", "view-create": "New user" }[view];
  document.title = `${title} · auth-fcgi admin`;
  return changed;
}

function focusHeading(id) {
  const heading = byId(id);
  heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: false });
}

function navigate(hash) {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

// --- session -----------------------------------------------------------------------

function showAccount(user) {
  byId("account").hidden = !user;
  byId("account-name").textContent = user ? user.username : "";
}

function endedMessage(problem) {
  const why = problem && problem.detail ? ` (${problem.detail})` : "";
  return `Your session has ended${why}. Sign in again to continue.`;
}

session.configure({
  key: "auth-fcgi-admin.session",
  ended(problem) {
    showAccount(null);
    showSignIn();
    inform("error", endedMessage(problem));
  },
  user(user) {
    showAccount(user);
    if (user.role !== "ADMIN") refuse(user, null);
  },
});

/** A signed-in account that isn't an admin: told so, and its tokens are logged out. */
async function refuse(user, accessToken) {
  if (accessToken) await request("POST", "/api/auth/logout", { token: accessToken });
  else await session.logout();
  showAccount(null);
  showSignIn();
  inform("info",
    h("p", { text: `Hello ${user.username}, you signed in correctly, but this console is only for administrators and your account has no access to it.` }),
    h("p", { text: "You have been signed out again. If you need access, ask one of the service's admins." }));
}

const resetSignIn = signInSteps({
  signedIn(pair) {
    if (!pair.user || pair.user.role !== "ADMIN") {
      refuse(pair.user, pair.access_token);
      return;
    }
    session.begin(pair);
    route();
  },
  fail,
  inform,
  clearMessages,
});

function showSignIn() {
  const changed = show("view-signin");
  resetSignIn();
  if (changed) byId("signin-login").focus();
}

byId("sign-out").addEventListener("click", async () => {
  await session.logout();
  showAccount(null);
  showSignIn();
  inform("success", "You are signed out.");
});

// --- the user list -------------------------------------------------------------------

const LIST_DEFAULTS = {
  q: "", role: "", active: "", email_verified: "", mfa_enabled: "", sort: "id", page: "1", per_page: "20",
};
const filterForm = byId("filter-form");
const filterInputs = {
  q: byId("filter-q"), role: byId("filter-role"), active: byId("filter-active"),
  email_verified: byId("filter-verified"), mfa_enabled: byId("filter-mfa"), sort: byId("filter-sort"),
  per_page: byId("filter-per-page"),
};
let listSequence = 0;
let listState = { ...LIST_DEFAULTS };

function listHash(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value !== "" && value !== LIST_DEFAULTS[key]) params.set(key, value);
  }
  const query = params.toString();
  return query ? `#/users?${query}` : "#/users";
}

function stateFromForm(page = "1") {
  return {
    q: filterInputs.q.value.trim(), role: filterInputs.role.value, active: filterInputs.active.value,
    email_verified: filterInputs.email_verified.value, mfa_enabled: filterInputs.mfa_enabled.value,
    sort: filterInputs.sort.value,
    per_page: filterInputs.per_page.value, page,
  };
}

filterForm.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  navigate(listHash(stateFromForm()));
});
for (const key of ["role", "active", "email_verified", "mfa_enabled", "sort", "per_page"]) {
  filterInputs[key].addEventListener("change", () => navigate(listHash(stateFromForm())));
}
let searchTimer = null;
filterInputs.q.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => navigate(listHash(stateFromForm())), 400);
});
byId("clear-filters").addEventListener("click", () => navigate("#/users"));
byId("page-prev").addEventListener("click", () =>
  navigate(listHash({ ...listState, page: String(Math.max(1, Number(listState.page) - 1)) })));
byId("page-next").addEventListener("click", () =>
  navigate(listHash({ ...listState, page: String(Number(listState.page) + 1) })));
for (const th of document.querySelectorAll("#users-table th[data-sort]")) {
  th.querySelector("button").addEventListener("click", () => {
    const key = th.dataset.sort;
    const sort = listState.sort === key ? `-${key}` : key;
    navigate(listHash({ ...listState, sort, page: "1" }));
  });
}

function fullName(user) {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

function isLocked(user) {
  return Boolean(user.locked_until) && new Date(user.locked_until).getTime() > Date.now();
}

function badges(user) {
  const list = [h("span", { class: `badge role-${user.role.toLowerCase()}`, text: user.role === "ADMIN" ? "Admin" : "User" })];
  list.push(user.active ? h("span", { class: "badge ok", text: "Active" }) : h("span", { class: "badge off", text: "Disabled" }));
  if (isLocked(user)) list.push(h("span", { class: "badge warn", text: "Locked" }));
  list.push(user.email_verified ? h("span", { class: "badge email ok", text: "Verified" })
    : h("span", { class: "badge email pending", text: "Unverified" }));
  if (user.mfa_enabled) list.push(h("span", { class: "badge mfa ok", title: "Two-factor sign-in is on", text: "2FA" }));
  return list;
}

function cell(label, ...content) {
  return h("td", { dataset: { label } }, ...content);
}

function renderRows(items) {
  byId("users-body").replaceChildren(...items.map((user) => h("tr", { dataset: { userId: String(user.id) } },
    cell("ID", String(user.id)),
    cell("Username", h("a", { href: `#/users/${user.id}`, class: "user-link", text: user.username })),
    cell("Email", user.email),
    cell("Name", fullName(user) || h("span", { class: "muted", text: "—" })),
    cell("Role", user.role === "ADMIN" ? "Admin" : "User"),
    cell("Status", h("span", { class: "badges" }, badges(user).slice(1))),
    cell("Created", formatDate(user.created_at)),
    cell("Last sign-in", formatDate(user.last_login_at)),
  )));
}

function markSort(sort) {
  const key = sort.replace(/^-/, "");
  for (const th of document.querySelectorAll("#users-table th[data-sort]")) {
    if (th.dataset.sort === key) th.setAttribute("aria-sort", sort.startsWith("-") ? "descending" : "ascending");
    else th.removeAttribute("aria-sort");
  }
}

async function showList(params) {
  const changed = show("view-list");
  listState = { ...LIST_DEFAULTS };
  for (const key of Object.keys(LIST_DEFAULTS)) if (params.has(key)) listState[key] = params.get(key);
  lastListHash = listHash(listState);
  byId("back-to-list").href = lastListHash;
  byId("create-back").href = lastListHash;
  for (const [key, input] of Object.entries(filterInputs)) {
    if (input !== document.activeElement || key !== "q") input.value = listState[key];
  }
  clearFieldErrors(filterForm);
  if (changed) focusHeading("list-title");

  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(listState)) if (value !== "") query.set(key, value);
  const mine = ++listSequence;
  const table = byId("users-table");
  byId("list-loading").hidden = false;
  byId("list-empty").hidden = true;
  table.setAttribute("aria-busy", "true");
  byId("list-summary").textContent = "";
  const result = await session.call("GET", `/api/users?${query}`);
  if (mine !== listSequence || currentView !== "view-list") return;
  byId("list-loading").hidden = true;
  table.removeAttribute("aria-busy");
  if (!result.ok) {
    table.hidden = true;
    byId("pager").hidden = true;
    if (session.signedIn()) fail(result.problem, { form: filterForm, fields: filterInputs });
    return;
  }
  const { items, page, per_page: perPage, total, pages } = result.data;
  if (items.length === 0 && total > 0 && page > pages) {
    navigate(listHash({ ...listState, page: String(pages) }));
    return;
  }
  renderRows(items);
  markSort(listState.sort);
  table.hidden = items.length === 0;
  byId("list-empty").hidden = items.length !== 0;
  const first = (page - 1) * perPage + 1;
  byId("list-summary").textContent = total === 0
    ? "No users match."
    : `Showing ${first}–${first + items.length - 1} of ${total} user${total === 1 ? "" : "s"}.`;
  byId("pager").hidden = pages <= 1;
  byId("page-info").textContent = `Page ${page} of ${Math.max(pages, 1)}`;
  byId("page-prev").disabled = page <= 1;
  byId("page-next").disabled = page >= pages;
}

// --- one user ------------------------------------------------------------------------

const userForm = byId("user-form");
const editInputs = {
  username: byId("edit-username"), email: byId("edit-email"), first_name: byId("edit-first-name"),
  last_name: byId("edit-last-name"), role: byId("edit-role"), active: byId("edit-active"),
  current_password: byId("edit-current-password"),
};
let shown = null; // {user, self, otherAdmin, lastAdmin}

/** Is this user the only active admin? (null when it can't be told) */
async function onlyActiveAdmin(user) {
  if (user.role !== "ADMIN" || !user.active) return false;
  const result = await session.call("GET", "/api/users?role=ADMIN&active=true&per_page=1");
  return result.ok ? result.data.total <= 1 : null;
}

function fact(term, value) {
  return h("div", {}, h("dt", { text: term }), h("dd", { text: value }));
}

function fillForm(user) {
  editInputs.username.value = user.username;
  editInputs.email.value = user.email;
  editInputs.first_name.value = user.first_name || "";
  editInputs.last_name.value = user.last_name || "";
  editInputs.role.value = user.role;
  editInputs.active.checked = Boolean(user.active);
  editInputs.current_password.value = "";
  clearFieldErrors(userForm);
  offerCurrentPassword();
}

/** Does the form change the signed-in admin's own email? (contract §3 Users rules (v2)) */
function changesOwnEmail() {
  return Boolean(shown) && shown.self &&
    editInputs.email.value.trim().toLowerCase() !== String(shown.user.email).toLowerCase();
}

/** The current-password field is offered only while the form changes one's own email. */
function offerCurrentPassword() {
  byId("edit-current-password-field").hidden = !changesOwnEmail();
}

editInputs.email.addEventListener("input", offerCurrentPassword);

function renderUser(user, lastAdmin) {
  const me = session.currentUser();
  const self = Boolean(me) && me.id === user.id;
  const otherAdmin = user.role === "ADMIN" && !self;
  shown = { user, self, otherAdmin, lastAdmin };

  byId("user-title").textContent = user.username;
  byId("user-badges").replaceChildren(...badges(user));
  byId("user-facts").replaceChildren(...[
    fact("ID", String(user.id)),
    fact("Name", fullName(user) || "—"),
    fact("Email", user.email),
    fact("Created", formatTime(user.created_at)),
    fact("Updated", formatTime(user.updated_at)),
    fact("Last sign-in", formatTime(user.last_login_at)),
    fact("Locked", isLocked(user) ? `until ${formatTime(user.locked_until)}` : "no"),
    fact("Two-factor sign-in", user.mfa_enabled ? "on" : "off"),
  ]);

  const readonly = byId("user-readonly");
  if (otherAdmin) {
    readonly.textContent = `${user.username} is an admin. Admins can't change, disable, demote or delete ` +
      "other admins, nor revoke their sessions; you can only unlock the account.";
  } else if (self) {
    readonly.textContent = "This is your own account.";
  }
  readonly.hidden = !(otherAdmin || self);

  userForm.hidden = otherAdmin;
  fillForm(user);
  const roleHint = byId("edit-role-hint");
  const activeHint = byId("edit-active-hint");
  if (self && lastAdmin !== false) {
    editInputs.role.disabled = true;
    editInputs.active.disabled = true;
    const why = lastAdmin ? "You are the last active admin: the service needs one, so you can't be demoted or disabled."
      : "Your admin status can't be checked right now.";
    roleHint.textContent = why;
    activeHint.textContent = why;
  } else {
    editInputs.role.disabled = false;
    editInputs.active.disabled = false;
    roleHint.textContent = self ? "Demoting your own account signs you out of this console."
      : "An admin can't be changed from this console afterwards (only unlocked).";
    activeHint.textContent = self ? "Disabling your own account signs you out of this console."
      : "A disabled account can't sign in, and its tokens stop working at once.";
  }

  const locked = isLocked(user);
  byId("lock-state").textContent = locked
    ? `Locked after too many failed sign-ins, until ${formatTime(user.locked_until)}.`
    : "Not locked: the account can sign in.";
  byId("unlock-user").hidden = !locked;
  byId("verification-state").textContent = user.email_verified
    ? `The email address ${user.email} is verified.`
    : `The email address ${user.email} isn't verified yet.`;
  byId("mark-verified").hidden = user.email_verified || otherAdmin;
  byId("resend-verification").hidden = user.email_verified;
  byId("mfa-state").textContent = user.mfa_enabled
    ? "Two-factor sign-in is on: signing in needs a code from the authenticator app or a recovery code."
    : "Two-factor sign-in is off.";
  byId("reset-mfa").hidden = !user.mfa_enabled || otherAdmin;
  byId("sessions-row").hidden = otherAdmin;
  byId("delete-row").hidden = otherAdmin || (self && lastAdmin !== false);
  byId("user-body").hidden = false;
}

async function loadUser(id) {
  const result = await session.call("GET", `/api/users/${id}`);
  if (!result.ok) return { problem: result.problem };
  const user = result.data.user;
  const me = session.currentUser();
  const lastAdmin = me && me.id === user.id ? await onlyActiveAdmin(user) : false;
  if (me && me.id === user.id) session.setUser(user);
  return { user, lastAdmin };
}

async function showUser(id) {
  const changed = show("view-user");
  byId("user-body").hidden = true;
  byId("user-loading").hidden = false;
  const { user, lastAdmin, problem } = await loadUser(id);
  byId("user-loading").hidden = true;
  if (currentView !== "view-user") return;
  if (problem) {
    if (session.signedIn()) fail(problem);
    return;
  }
  renderUser(user, lastAdmin);
  if (changed) focusHeading("user-title");
}

async function reloadShown() {
  const { user, lastAdmin, problem } = await loadUser(shown.user.id);
  if (problem) {
    if (session.signedIn()) fail(problem);
    return false;
  }
  renderUser(user, lastAdmin);
  return true;
}

function nameValue(input) {
  const value = input.value.trim();
  return value === "" ? null : value;
}

userForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!shown || shown.otherAdmin) return;
  const { user, self } = shown;
  clearFieldErrors(userForm);
  const wanted = {
    username: editInputs.username.value.trim(),
    email: editInputs.email.value.trim(),
    first_name: nameValue(editInputs.first_name),
    last_name: nameValue(editInputs.last_name),
  };
  if (!editInputs.role.disabled) wanted.role = editInputs.role.value;
  if (!editInputs.active.disabled) wanted.active = editInputs.active.checked;
  const changes = {};
  for (const [key, value] of Object.entries(wanted)) {
    const before = key === "email" ? String(user.email).toLowerCase() : user[key] ?? null;
    const after = key === "email" ? value.toLowerCase() : value;
    if (after !== before) changes[key] = value;
  }
  if (Object.keys(changes).length === 0) {
    inform("info", "Nothing to save: no field was changed.");
    return;
  }
  const password = editInputs.current_password;
  if (changesOwnEmail()) {
    if (!password.value) {
      setFieldError(password, "Enter your current password to change your email.");
      password.focus();
      return;
    }
    changes.current_password = password.value;
  }
  const done = busy(byId("save-user"), "Saving…");
  const result = await session.call("PATCH", `/api/users/${user.id}`, changes);
  done();
  password.value = "";
  if (!result.ok) {
    if (!session.signedIn()) return;
    fail(result.problem, { form: userForm, fields: editInputs });
    // 403: the password itself was wrong (no errors[] entry names it).
    if (result.problem.code === "current_password_incorrect") {
      setFieldError(password, result.problem.detail);
      password.focus();
    }
    return;
  }
  const updated = result.data.user;
  if (self && (updated.role !== "ADMIN" || !updated.active)) {
    await session.logout();
    showAccount(null);
    showSignIn();
    inform("info", "Your account is no longer an active admin, so you were signed out of the console.");
    return;
  }
  const what = [];
  if ("active" in changes) what.push(updated.active ? "enabled" : "disabled");
  if ("role" in changes) what.push(updated.role === "ADMIN" ? "promoted to admin" : "made a user");
  const other = Object.keys(changes).filter((k) => k !== "active" && k !== "role");
  if (other.length) what.push("details saved");
  await reloadShown();
  inform("success", `${updated.username}: ${what.join(", ")}.`);
  if (userForm.hidden) focusHeading("user-title"); // promoted: the form is gone
});

byId("reset-user-form").addEventListener("click", () => {
  if (shown) fillForm(shown.user);
  clearMessages();
});

byId("unlock-user").addEventListener("click", async (event) => {
  const done = busy(event.currentTarget, "Unlocking…");
  const result = await session.call("POST", `/api/users/${shown.user.id}/unlock`);
  done();
  if (!result.ok) {
    if (session.signedIn()) fail(result.problem);
    return;
  }
  await reloadShown();
  inform("success", `${shown.user.username} is unlocked and can sign in again.`);
});

byId("mark-verified").addEventListener("click", async (event) => {
  const { user } = shown;
  const done = busy(event.currentTarget, "Marking…");
  const result = await session.call("PATCH", `/api/users/${user.id}`, { email_verified: true });
  done();
  if (!result.ok) {
    if (session.signedIn()) fail(result.problem);
    return;
  }
  await reloadShown();
  inform("success", `${user.username}: the email address is marked verified.`);
});

// The public resend endpoint, as the user would call it: it answers the same for every
// address (contract §3 "Email verification"), so its neutral message is what is shown.
byId("resend-verification").addEventListener("click", async (event) => {
  const { user } = shown;
  const done = busy(event.currentTarget, "Sending…");
  const result = await request("POST", "/api/auth/email/resend", { body: { email: user.email } });
  done();
  if (!result.ok) {
    fail(result.problem);
    return;
  }
  inform("success", `${user.username} (${user.email}): ${result.data.message}`);
});

// For an account whose authenticator is lost (and its recovery codes with it): the user
// signs in with the password alone again, and is mailed a notice (contract §3 Users).
byId("reset-mfa").addEventListener("click", async (event) => {
  const button = event.currentTarget; // null once the handler awaited
  const { user } = shown;
  const confirmed = await confirmAction({
    title: `Turn off two-factor sign-in for ${user.username}?`,
    text: `${user.username} can then sign in with the password alone; its authenticator secret and recovery ` +
      "codes are deleted, and it gets a mail saying so. It can turn two-factor sign-in on again on its account page.",
    ok: "Turn off two-factor",
  });
  if (!confirmed) return;
  const done = busy(button, "Turning off…");
  const result = await session.call("DELETE", `/api/users/${user.id}/mfa`);
  done();
  if (!result.ok) {
    if (!session.signedIn()) return;
    // 403: the account became an admin since the page was shown; show what it is now.
    if (result.status === 403) await reloadShown();
    fail(result.problem);
    return;
  }
  await reloadShown();
  inform("success", `${user.username}: two-factor sign-in is off.`);
});

byId("revoke-sessions").addEventListener("click", async (event) => {
  const { user, self } = shown;
  if (self && !(await confirmAction({
    title: "Revoke all your sessions?",
    text: "Every session of your account ends, this one included: you will be signed out.",
    ok: "Revoke and sign out",
  }))) return;
  const done = busy(event.currentTarget, "Revoking…");
  const result = await session.call("DELETE", `/api/users/${user.id}/sessions`);
  done();
  if (!result.ok) {
    if (session.signedIn()) fail(result.problem);
    return;
  }
  if (self) {
    session.drop();
    showAccount(null);
    showSignIn();
    inform("success", "All your sessions were revoked; sign in again.");
    return;
  }
  inform("success", `Every session of ${user.username} was revoked: it has to sign in again.`);
});

byId("delete-user").addEventListener("click", async () => {
  const { user, self } = shown;
  const confirmed = await confirmAction({
    title: `Delete ${user.username}?`,
    text: `The account ${user.username} (${user.email}) and all its sessions are removed. This can't be undone.` +
      (self ? " It is your own account: you will be signed out." : ""),
    ok: "Delete user",
  });
  if (!confirmed) return;
  const result = await session.call("DELETE", `/api/users/${user.id}`);
  if (!result.ok) {
    if (session.signedIn()) fail(result.problem);
    return;
  }
  if (self) {
    session.drop();
    showAccount(null);
    showSignIn();
    inform("success", "Your account was deleted.");
    return;
  }
  flash = ["success", `User ${user.username} was deleted.`];
  navigate(lastListHash);
});

// --- confirmation dialog ---------------------------------------------------------------

const dialog = byId("confirm-dialog");

/** A modal confirmation; resolves true on the confirm button, false on Cancel or Escape. */
function confirmAction({ title, text, ok }) {
  const opener = document.activeElement;
  byId("confirm-title").textContent = title;
  byId("confirm-text").textContent = text;
  byId("confirm-ok").textContent = ok;
  return new Promise((resolve) => {
    const finish = (answer) => {
      byId("confirm-ok").removeEventListener("click", yes);
      byId("confirm-cancel").removeEventListener("click", no);
      dialog.removeEventListener("cancel", escape);
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
      resolve(answer);
    };
    const yes = () => finish(true);
    const no = () => finish(false);
    const escape = (event) => {
      event.preventDefault();
      finish(false);
    };
    byId("confirm-ok").addEventListener("click", yes);
    byId("confirm-cancel").addEventListener("click", no);
    dialog.addEventListener("cancel", escape);
    dialog.showModal();
    byId("confirm-cancel").focus();
  });
}

// --- new user -------------------------------------------------------------------------

const createForm = byId("create-form");
const createInputs = {
  username: byId("create-username"), email: byId("create-email"), first_name: byId("create-first-name"),
  last_name: byId("create-last-name"), password: byId("create-password"), role: byId("create-role"),
  active: byId("create-active"),
};

function showCreate() {
  const changed = show("view-create");
  if (changed) {
    createForm.reset();
    clearFieldErrors(createForm);
    createInputs.username.focus();
  }
}

createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(createForm);
  clearMessages();
  const body = {
    username: createInputs.username.value.trim(),
    email: createInputs.email.value.trim(),
    password: createInputs.password.value,
    first_name: nameValue(createInputs.first_name),
    last_name: nameValue(createInputs.last_name),
    role: createInputs.role.value,
    active: createInputs.active.checked,
  };
  const done = busy(byId("create-submit"), "Creating…");
  const result = await session.call("POST", "/api/users", body);
  done();
  if (!result.ok) {
    if (session.signedIn()) fail(result.problem, { form: createForm, fields: createInputs });
    return;
  }
  const user = result.data.user;
  createForm.reset();
  flash = ["success", `User ${user.username} was created.`];
  navigate(`#/users/${user.id}`);
});

// --- routing ---------------------------------------------------------------------------

function route() {
  if (dialog.open) dialog.close();
  if (flash) {
    inform(...flash);
    flash = null;
  } else {
    clearMessages();
  }
  if (!session.signedIn()) {
    showSignIn();
    return;
  }
  const raw = window.location.hash.replace(/^#/, "") || "/users";
  const [path, query = ""] = raw.split("?");
  const params = new URLSearchParams(query);
  let match;
  if (path === "/users" || path === "/" || path === "") showList(params);
  else if ((match = path.match(/^\/users\/([0-9]+)$/))) showUser(Number(match[1]));
  else if (path === "/new") showCreate();
  else navigate("#/users");
}

window.addEventListener("hashchange", route);

async function start() {
  const user = session.restore();
  if (user) {
    showAccount(user);
    // The stored session may be stale (revoked, demoted): ask the server who this is.
    const result = await session.call("GET", "/api/auth/whoami");
    if (!result.ok) {
      // Signed out by now (the `ended` callback shows the sign-in), or the server is
      // unreachable: keep the session and say so.
      if (session.signedIn()) {
        route();
        fail(result.problem);
      }
      return;
    }
    session.setUser(result.data.user); // refuses a non-admin
    if (!session.signedIn()) return;
  }
  route();
}

start();
