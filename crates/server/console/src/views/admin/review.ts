// The review queue: reported sessions, watch before deciding, then
// release (visible again) or erase (recording deleted).

import { api, describeError } from "../../api";
import { h, icon } from "../../dom";
import { dateTime, relative, shortId } from "../../format";
import { href } from "../../router";
import type { Report } from "../../types";
import { dialog, emptyState, errorState, loading, toast } from "../../ui";
import type { Section } from "../admin";

export const reviewSection: Section = ({ body, site }) => {
  let alive = true;
  const queue = h("div", { id: "review-queue", class: "review-queue" });
  body.replaceChildren(queue);

  async function load(): Promise<void> {
    queue.replaceChildren(loading("Loading reports…"));
    try {
      const { reports } = await api.reports(site.id);
      if (!alive) return;
      draw(reports);
    } catch (error) {
      if (alive) queue.replaceChildren(errorState(error, () => void load()));
    }
  }

  function draw(reports: Report[]): void {
    if (reports.length === 0) {
      queue.replaceChildren(emptyState("shield", "Nothing to review", "No session of this site is waiting for a decision. Reports from analysts appear here."));
      return;
    }
    const tbody = h("tbody");
    const table = h(
      "table",
      { class: "table" },
      h("thead", null, h("tr", null, h("th", null, "Reported"), h("th", null, "Session"), h("th", null, "By"), h("th", null, "Reason"), h("th", { class: "actions" }, "Decision"))),
      tbody,
    );
    for (const r of reports) {
      const tr = h("tr", { dataset: { reportSession: r.session } });
      const decide = async (action: "release" | "erase", buttons: HTMLButtonElement[]) => {
        buttons.forEach((b) => (b.disabled = true));
        try {
          await api.review(site.id, r.session, action);
          tr.remove();
          toast(action === "release" ? `Released session ${shortId(r.session)}: visible to analysts again.` : `Erased session ${shortId(r.session)}.`);
          if (!tbody.children.length) draw([]);
        } catch (error) {
          toast(describeError(error).message, "error");
          buttons.forEach((b) => (b.disabled = false));
        }
      };
      const release = h("button", { type: "button", class: "btn small", dataset: { action: "release" } }, "Release");
      const erase = h("button", { type: "button", class: "btn small danger", dataset: { action: "erase" } }, icon("eraser", 13), "Erase");
      release.addEventListener("click", () => void decide("release", [release, erase]));
      erase.addEventListener("click", () =>
        dialog({
          title: "Erase this session?",
          body: h("p", null, "The session's recording and index rows are deleted for good; the audit log records the decision."),
          actions: (close) => [
            h("button", { type: "button", class: "btn ghost", onclick: close }, "Cancel"),
            h("button", { type: "button", class: "btn danger", id: "review-erase-confirm", onclick: () => (close(), void decide("erase", [release, erase])) }, "Erase"),
          ],
        }),
      );
      tr.append(
        h("td", null, h("div", { class: "strong" }, relative(r.reported_at)), h("div", { class: "muted small" }, dateTime(r.reported_at))),
        h("td", { class: "mono", title: r.session }, shortId(r.session, 12)),
        h("td", null, r.reporter),
        h("td", { class: "reason" }, r.reason || h("span", { class: "muted" }, "(no reason given)")),
        h(
          "td",
          { class: "actions" },
          h("a", { class: "btn small ghost", href: href(["sites", site.id, "sessions", r.session], { review: 1 }), dataset: { action: "watch" } }, icon("play", 13), "Watch"),
          release,
          erase,
        ),
      );
      tbody.append(tr);
    }
    queue.replaceChildren(h("div", { class: "card flush" }, table), h("p", { class: "hint" }, "Watching a replay is written to the audit log. A rising number of reports on one page means it needs a masking rule ([sites.masking] in veil.toml)."));
  }

  void load();
  return {
    destroy() {
      alive = false;
    },
  };
};
