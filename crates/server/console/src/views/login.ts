// Sign in with an API key. The server answers with a cookie session, so
// the key itself is not kept anywhere in the browser.

import { api, ApiError, describeError } from "../api";
import { h, icon } from "../dom";
import type { Me } from "../types";

export function loginView(root: HTMLElement, onSignedIn: (me: Me) => void, notice?: string): void {
  const key = h("input", {
    id: "login-key",
    type: "password",
    name: "key",
    autocomplete: "current-password",
    placeholder: "Paste your API key",
    required: true,
    spellcheck: "false",
    "aria-describedby": "login-help",
  });
  const submit = h("button", { id: "login-submit", type: "submit", class: "btn primary wide" }, "Sign in");
  const message = h("p", { class: "form-error", id: "login-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "login-card", novalidate: true },
    h("div", { class: "login-brand" }, h("span", { class: "brand-mark large" }, icon("logo", 26)), h("span", null, "Veil")),
    h("h1", null, "Sign in to the console"),
    h("p", { class: "muted" }, "Heatmaps and session replays, on your own servers."),
    notice ? h("p", { class: "notice" }, notice) : null,
    h("label", { for: "login-key" }, "API key"),
    key,
    h("p", { class: "hint", id: "login-help" }, "Keys come from ", h("code", null, "veil apikey create --name you --role analyst"), "."),
    message,
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = key.value.trim();
    if (!value) {
      show("Enter an API key.");
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      const me = await api.login(value);
      key.value = "";
      onSignedIn(me);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) show("That key is not valid. Check it and try again.");
      else if (error instanceof ApiError && error.status === 429) show("Too many attempts. Wait a minute and try again.");
      else show(describeError(error).message);
      submit.disabled = false;
      submit.textContent = "Sign in";
      key.focus();
      key.select();
    }
  });
  function show(text: string) {
    message.textContent = text;
    message.hidden = false;
  }
  root.replaceChildren(
    h(
      "div",
      { class: "login" },
      form,
      h("p", { class: "login-foot muted" }, "Privacy-first: recordings are masked on the visitor's device and again on the server."),
    ),
  );
  key.focus();
}
