// Erasure and export of one visitor (GDPR art. 17 and 15): export is a
// plain download link (cookie auth), erasure asks for confirmation and
// shows the server's receipt.

import { api, describeError } from "../../api";
import { h, icon } from "../../dom";
import { dateTime, num } from "../../format";
import type { ErasureReceipt } from "../../types";
import { dialog } from "../../ui";
import type { Section } from "../admin";

/** Visitor ids are 128 random bits, hex or base64url (SPEC §1); accept any such token. */
export function isVisitorId(value: string): boolean {
  return /^[A-Za-z0-9_-]{8,128}$/.test(value);
}

export const erasureSection: Section = ({ body, site }) => {
  const input = h("input", {
    id: "erase-visitor",
    type: "text",
    placeholder: "Visitor id, e.g. 9f1c6e…",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "erase-help",
  });
  const exportLink = h("a", { id: "export-visitor", class: "btn", "aria-disabled": "true", tabindex: "-1" }, icon("download", 15), "Export data (JSON)");
  const eraseButton = h("button", { id: "erase-submit", type: "button", class: "btn danger", disabled: true }, icon("eraser", 15), "Erase visitor");
  const message = h("p", { class: "form-error", role: "alert", hidden: true });
  const result = h("div", { id: "erase-result" });

  const update = () => {
    const id = input.value.trim();
    const ok = isVisitorId(id);
    eraseButton.disabled = !ok;
    if (ok) {
      exportLink.href = api.exportUrl(site.id, id);
      exportLink.setAttribute("download", `veil-export-${site.id}-${id}.json`);
      exportLink.removeAttribute("aria-disabled");
      exportLink.removeAttribute("tabindex");
    } else {
      exportLink.removeAttribute("href");
      exportLink.setAttribute("aria-disabled", "true");
      exportLink.setAttribute("tabindex", "-1");
    }
    message.hidden = ok || id === "";
    message.textContent = "A visitor id is 8 to 128 letters, digits, '-' or '_' (hex or base64url).";
  };
  input.addEventListener("input", update);
  input.addEventListener("keydown", (e) => e.key === "Enter" && !eraseButton.disabled && confirmErase());
  eraseButton.addEventListener("click", () => confirmErase());

  function confirmErase(): void {
    const visitor = input.value.trim();
    dialog({
      id: "erase-dialog",
      title: "Erase this visitor?",
      body: [
        h("p", null, "Everything stored of visitor ", h("code", null, visitor), ` on ${site.id} is deleted: recordings, sessions, consent records and reports. Their consents are revoked, so the recorder stops sending.`),
        h("p", { class: "muted" }, "Heatmap aggregates hold no visitor id and are kept. This cannot be undone."),
      ],
      actions: (close) => [
        h("button", { type: "button", class: "btn ghost", onclick: close }, "Cancel"),
        h("button", { type: "button", class: "btn danger", id: "erase-confirm", onclick: () => (close(), void erase(visitor)) }, "Erase everything"),
      ],
    });
  }

  async function erase(visitor: string): Promise<void> {
    eraseButton.disabled = true;
    eraseButton.textContent = "Erasing…";
    result.replaceChildren();
    try {
      const receipt = await api.erase(site.id, visitor);
      result.replaceChildren(receiptCard(receipt));
      input.value = "";
      update();
    } catch (error) {
      result.replaceChildren(h("div", { class: "note error" }, icon("error", 15), h("span", null, describeError(error).message)));
    } finally {
      eraseButton.replaceChildren(icon("eraser", 15), "Erase visitor");
      eraseButton.disabled = !isVisitorId(input.value.trim());
    }
  }

  body.replaceChildren(
    h(
      "div",
      { class: "card form-card" },
      h("label", { for: "erase-visitor" }, "Visitor id"),
      input,
      message,
      h("p", { class: "hint", id: "erase-help" }, "Copy it from a replay's session facts, or take it from the visitor's request (the recorder stores it in the browser after consent)."),
      h("div", { class: "form-actions" }, exportLink, eraseButton),
    ),
    result,
  );
  return {};
};

function receiptCard(r: ErasureReceipt): HTMLElement {
  const json = JSON.stringify(r, null, 2);
  const download = h("a", {
    class: "btn small ghost",
    href: `data:application/json;charset=utf-8,${encodeURIComponent(json)}`,
    download: `veil-erasure-receipt-${r.receipt}.json`,
  }, icon("download", 13), "Download receipt");
  return h(
    "div",
    { class: "card receipt", id: "erase-receipt", dataset: { receipt: r.receipt } },
    h("div", { class: "receipt-head" }, h("h3", null, icon("shield", 16), " Erased"), download),
    h(
      "dl",
      { class: "facts-grid" },
      h("dt", null, "Receipt"),
      h("dd", { class: "mono" }, r.receipt),
      h("dt", null, "Visitor"),
      h("dd", { class: "mono" }, r.visitor),
      h("dt", null, "Erased at"),
      h("dd", null, dateTime(r.erased_at, true)),
      h("dt", null, "Sessions"),
      h("dd", null, num(r.sessions)),
      h("dt", null, "Consents revoked"),
      h("dd", null, num(r.consents_revoked)),
      h("dt", null, "Rows deleted"),
      h("dd", null, Object.entries(r.deleted ?? {}).map(([table, n]) => h("span", { class: "badge" }, `${table}: ${num(n)}`))),
      h("dt", null, "Audit subject"),
      h("dd", { class: "mono" }, r.subject),
    ),
    r.aggregates ? h("p", { class: "hint" }, r.aggregates) : null,
    h("p", { class: "hint" }, "A second pass runs 30 s later and deletes what another node accepted meanwhile."),
    h("details", null, h("summary", null, "Receipt JSON"), h("pre", { class: "json" }, json)),
  );
}
