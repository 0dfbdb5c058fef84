// Replay of one session: rrweb-player (timeline, speed, skip inactivity),
// click / rage / dead / error / page markers under it, the session's facts
// and event list beside it, and "Report PII". Opened from the review queue
// (`?review=1`), admins get Release / Erase instead.

import { api, ApiError, describeError } from "../api";
import { h, icon, mount } from "../dom";
import { bytes, clock, dateTime, duration, num, plural, shortId, splitPage } from "../format";
import { loadPlayer } from "../lazy";
import { counts, playerSize, position, timeline, viewportOf, type MarkerKind, type Timeline } from "../replay/markers";
import { href, navigate, type Params } from "../router";
import { isAdmin, sessionKey, state } from "../state";
import { sessionSource } from "../segments";
import type { RrwebEvent, SessionRow } from "../types";
import { badge, copyButton, deviceLabel, dialog, emptyState, errorState, header, loading, toast } from "../ui";
import type { View } from "../view";

type PlayerInstance = InstanceType<Awaited<ReturnType<typeof loadPlayer>>["Player"]>;

/** The Svelte component methods rrweb-player's typings leave out. */
interface Svelte {
  $set(props: Record<string, unknown>): void;
  $destroy(): void;
}

const KIND_LABEL: Record<MarkerKind, string> = {
  click: "Click",
  rage: "Rage click",
  dead: "Dead click",
  error: "Error",
  page: "Page view",
};
const MAX_LIST = 400;

export const replayView: View = ({ root, route }) => {
  if (route.name !== "replay") return {};
  const { site: siteId, session } = route;
  const params: Params = route.params;
  const reviewing = params.review === "1" && isAdmin();
  let alive = true;
  let player: PlayerInstance | null = null;
  let events: RrwebEvent[] = [];
  let line: Timeline | null = null;
  const row: SessionRow | undefined = state.sessions.get(sessionKey(siteId, session));

  const listParams: Params = { ...params };
  delete listParams.review;
  const backHref = reviewing ? href(["sites", siteId, "admin", "review"]) : href(["sites", siteId, "sessions"], listParams);

  const replayEl = h("div", { id: "replay", class: "replay-frame", dataset: { session } });
  const markersEl = h("div", { class: "markers", id: "replay-markers" });
  const factsEl = h("section", { class: "card facts" });
  const listEl = h("section", { class: "card events" });
  const actions = h("div", { class: "row-actions" });
  root.replaceChildren(
    h(
      "div",
      { class: "view replay-view" },
      h("a", { class: "back", href: backHref }, icon("back", 15), reviewing ? "Review queue" : "Sessions"),
      header(
        `Session ${shortId(session, 12)}`,
        row ? `${dateTime(row.started_at)} · ${duration(row.duration_ms)} · ${deviceLabel(row.device)} · ${row.browser}` : "Recorded visit",
        actions,
      ),
      h(
        "div",
        { class: "replay-layout" },
        h("div", { class: "replay-main" }, h("div", { class: "card player-card" }, replayEl, markersEl)),
        h("aside", { class: "replay-side" }, factsEl, listEl),
      ),
    ),
  );
  drawActions();
  drawFacts();

  function drawActions(): void {
    if (reviewing) {
      actions.replaceChildren(
        h("span", { class: "badge warn" }, icon("flag", 12), "Reported: hidden from analysts"),
        h("button", { type: "button", class: "btn", id: "review-release", onclick: () => void review("release") }, "Release"),
        h("button", { type: "button", class: "btn danger", id: "review-erase", onclick: () => void review("erase") }, icon("eraser", 14), "Erase session"),
      );
    } else {
      actions.replaceChildren(
        h("button", { type: "button", class: "btn ghost danger-text", id: "report-pii", onclick: openReport }, icon("flag", 14), "Report PII"),
      );
    }
  }

  function fact(label: string, value: Node | string, extra?: Node | null): HTMLElement {
    return h("div", { class: "fact" }, h("dt", null, label), h("dd", null, value, extra ?? null));
  }

  function drawFacts(): void {
    const c = line ? counts(line.markers) : null;
    const pages = row?.pages?.length ? row.pages : line ? [...new Set(line.markers.filter((m) => m.kind === "page").map((m) => m.label))] : [];
    const items: HTMLElement[] = [];
    if (row) {
      items.push(
        fact("Started", dateTime(row.started_at, true)),
        fact("Duration", duration(row.duration_ms), h("span", { class: "muted" }, ` · ${duration(row.active_ms)} active`)),
        fact("Device", h("span", { class: "device" }, icon(row.device, 14), `${deviceLabel(row.device)} · `, h("span", { class: "cap" }, row.browser))),
        fact("Visitor", h("span", { class: "mono", title: row.visitor }, shortId(row.visitor, 12)), copyButton(row.visitor, "Copy visitor id")),
      );
      const source = sessionSource(row.source, row.utm);
      if (source) items.push(fact("Came from", source));
      if (row.user) items.push(fact("Linked user", h("span", { class: "mono", title: `hash ${row.user}` }, shortId(row.user, 12))));
    } else if (line) {
      items.push(fact("Started", dateTime(new Date(line.start).toISOString(), true)), fact("Duration", duration(line.duration)));
      const vp = viewportOf(events);
      if (vp) items.push(fact("Viewport", `${vp.w} × ${vp.h}`));
    }
    items.push(fact("Session", h("span", { class: "mono", title: session }, shortId(session, 12)), copyButton(session, "Copy session id")));
    const signals = h(
      "div",
      { class: "signals" },
      badge([icon("click", 12), plural(row?.clicks ?? c?.click ?? 0, "click")], ""),
      badge([icon("rage", 12), `${num(row?.rage_clicks ?? c?.rage ?? 0)} rage`], (row?.rage_clicks ?? c?.rage) ? "rage" : ""),
      badge([icon("dead", 12), `${num(row?.dead_clicks ?? c?.dead ?? 0)} dead`], (row?.dead_clicks ?? c?.dead) ? "dead" : ""),
      badge([icon("error", 12), plural(row?.errors ?? c?.error ?? 0, "error")], (row?.errors ?? c?.error) ? "error" : ""),
    );
    mount(factsEl,
      h("h3", null, "Session"),
      h("dl", null, ...items),
      signals,
      pages.length
        ? h(
            "div",
            { class: "pages-list" },
            h("h4", null, `Pages (${pages.length})`),
            h("ol", null, ...pages.map((p) => h("li", { title: p }, splitPage(p).path))),
          )
        : null,
    );
  }

  function drawList(): void {
    if (!line) return;
    const shown = line.markers.slice(0, MAX_LIST);
    mount(listEl,
      h("h3", null, "Events"),
      shown.length
        ? h(
            "ol",
            { class: "event-list" },
            ...shown.map((m) =>
              h(
                "li",
                null,
                h(
                  "button",
                  { type: "button", class: `event ${m.kind}`, dataset: { offset: m.offset }, onclick: () => seek(m.offset) },
                  h("span", { class: "event-time mono" }, clock(m.offset)),
                  h("span", { class: `dot ${m.kind}` }),
                  h("span", { class: "event-kind" }, KIND_LABEL[m.kind]),
                  h("span", { class: "event-label", title: m.label }, m.label),
                ),
              ),
            ),
          )
        : h("p", { class: "muted" }, "No clicks, errors or page views in this recording."),
      line.markers.length > MAX_LIST ? h("p", { class: "hint" }, `First ${MAX_LIST} of ${num(line.markers.length)} events.`) : null,
    );
  }

  function drawMarkers(): void {
    if (!line) return;
    const lane = h("div", { class: "marker-lane" });
    for (const m of line.markers) {
      lane.append(
        h("button", {
          type: "button",
          class: `marker ${m.kind}`,
          style: { left: `${position(m.offset, line.duration)}%` },
          title: `${clock(m.offset)} · ${KIND_LABEL[m.kind]}: ${m.label}`,
          "aria-label": `${KIND_LABEL[m.kind]} at ${clock(m.offset)}`,
          onclick: () => seek(m.offset),
        }),
      );
    }
    const c = counts(line.markers);
    const legend = (kind: MarkerKind, n: number) => h("span", { class: "legend-item" }, h("span", { class: `dot ${kind}` }), `${KIND_LABEL[kind]}s `, h("strong", null, num(n)));
    markersEl.replaceChildren(
      lane,
      h(
        "div",
        { class: "marker-legend" },
        legend("click", c.click - c.rage - c.dead),
        legend("rage", c.rage),
        legend("dead", c.dead),
        legend("error", c.error),
        legend("page", c.page),
      ),
    );
  }

  function seek(offset: number): void {
    // A second before, so the click is seen coming.
    player?.goto(Math.max(0, offset - 1000), true);
  }

  function size(): { width: number; height: number } {
    const maxW = replayEl.clientWidth || 800;
    const maxH = Math.max(260, window.innerHeight - 330);
    return playerSize(viewportOf(events), maxW, maxH);
  }

  const onResize = () => {
    if (!player) return;
    (player as unknown as Svelte).$set(size());
    player.triggerResize();
  };

  async function load(): Promise<void> {
    replayEl.replaceChildren(loading("Loading the recording…"));
    const status = replayEl.querySelector(".loading span:last-child");
    try {
      const [loaded, { Player }] = await Promise.all([
        api.sessionEvents(siteId, session, (n) => {
          if (status) status.textContent = `Loading the recording… ${bytes(n)}`;
        }),
        loadPlayer(),
      ]);
      if (!alive) return;
      events = loaded;
      if (events.length < 2) {
        replayEl.replaceChildren(emptyState("sessions", "Nothing to replay", "This session has no recorded page snapshot (it may have had the heatmaps purpose only)."));
        return;
      }
      line = timeline(events);
      drawFacts();
      drawMarkers();
      drawList();
      replayEl.replaceChildren();
      player = new Player({
        target: replayEl,
        props: {
          events: events as never[],
          ...size(),
          autoPlay: true,
          skipInactive: true,
          speedOption: [1, 2, 4, 8],
          showController: true,
          mouseTail: { strokeStyle: "rgba(79, 70, 229, 0.45)", lineWidth: 2, duration: 600 },
          UNSAFE_replayCanvas: false,
          showWarning: false,
          tags: { "veil.click": "rgba(79, 70, 229, 0.55)", "veil.scroll": "transparent", "veil.error": "#f97316", error: "#f97316" },
        },
      });
      window.addEventListener("resize", onResize);
      player.addEventListener("ui-update-current-time", (p) => highlight(Number((p as { payload: number }).payload)));
    } catch (error) {
      if (!alive) return;
      if (error instanceof ApiError && error.status === 404) {
        replayEl.replaceChildren(
          emptyState(
            "sessions",
            "Session not available",
            "It may have been reported for personal data, erased, or be past this site's retention.",
            h("a", { class: "btn", href: backHref }, "Back"),
          ),
        );
      } else {
        replayEl.replaceChildren(errorState(error, () => void load()));
      }
    }
  }

  let lastHighlighted: Element | null = null;
  function highlight(offset: number): void {
    if (!line || !Number.isFinite(offset)) return;
    let index = -1;
    for (let i = 0; i < Math.min(line.markers.length, MAX_LIST); i++) {
      if (line.markers[i]!.offset <= offset) index = i;
      else break;
    }
    const item = index >= 0 ? listEl.querySelectorAll(".event")[index] ?? null : null;
    if (item === lastHighlighted) return;
    lastHighlighted?.classList.remove("current");
    item?.classList.add("current");
    lastHighlighted = item;
  }

  function openReport(): void {
    player?.pause();
    const reason = h("textarea", {
      id: "report-reason",
      rows: 4,
      maxlength: 500,
      placeholder: "What did you see, and when? e.g. \"e-mail address visible in the checkout form at 0:42\"",
      required: true,
    });
    const counter = h("span", { class: "hint" }, "0 / 500");
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    reason.addEventListener("input", () => (counter.textContent = `${reason.value.length} / 500`));
    const submit = h("button", { type: "button", class: "btn danger", id: "report-submit" }, "Report and hide");
    const d = dialog({
      id: "report-dialog",
      title: "Report personal data",
      body: [
        h("p", null, "The session is hidden from analysts at once, on every node, until an admin releases or erases it. Don't paste the personal data itself."),
        h("label", { for: "report-reason" }, "Reason"),
        reason,
        counter,
        error,
      ],
      actions: (close) => [h("button", { type: "button", class: "btn ghost", onclick: close }, "Cancel"), submit],
    });
    reason.focus();
    submit.addEventListener("click", async () => {
      const text = reason.value.trim();
      if (!text) {
        error.textContent = "Say briefly what you saw, so an admin can check it.";
        error.hidden = false;
        reason.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = "Reporting…";
      try {
        await api.report(siteId, session, text);
        state.reported.add(sessionKey(siteId, session));
        state.sessions.delete(sessionKey(siteId, session));
        d.close();
        closeReplay();
        toast("Reported. The session is hidden from analysts until an admin reviews it.");
        navigate(href(["sites", siteId, "sessions"], listParams));
      } catch (e) {
        error.textContent = describeError(e).message;
        error.hidden = false;
        submit.disabled = false;
        submit.textContent = "Report and hide";
      }
    });
  }

  async function review(action: "release" | "erase"): Promise<void> {
    const run = async () => {
      try {
        await api.review(siteId, session, action);
        closeReplay();
        toast(action === "release" ? "Released: analysts can see the session again." : "Erased: the session's recording is deleted.");
        navigate(href(["sites", siteId, "admin", "review"]));
      } catch (e) {
        toast(describeError(e).message, "error");
      }
    };
    if (action === "release") return run();
    dialog({
      title: "Erase this session?",
      body: h("p", null, "The session's recording and index rows are deleted for good. The audit log keeps a record of the decision."),
      actions: (close) => [
        h("button", { type: "button", class: "btn ghost", onclick: close }, "Cancel"),
        h("button", { type: "button", class: "btn danger", id: "review-erase-confirm", onclick: () => (close(), void run()) }, "Erase"),
      ],
    });
  }

  function closeReplay(): void {
    destroyPlayer();
    replayEl.replaceChildren(emptyState("flag", "Replay closed", "This session was reported and is hidden from analysts."));
  }

  function destroyPlayer(): void {
    window.removeEventListener("resize", onResize);
    if (!player) return;
    try {
      player.pause();
      player.getReplayer().destroy();
    } catch {
      // already torn down
    }
    try {
      (player as unknown as Svelte).$destroy();
    } catch {
      // ignore
    }
    player = null;
  }

  void load();

  return {
    destroy() {
      alive = false;
      destroyPlayer();
    },
  };
};
