import { Batcher, type Cut } from "./batcher";
import { watchGcm } from "./cmp/gcm";
import { watchTcf } from "./cmp/tcf";
import type { CmpHandlers, Unwatch } from "./cmp/types";
import {
  type CmpProof,
  type Grant,
  loadGrant,
  normalisePurposes,
  requestGrant,
  samePurposes,
  saveGrant,
  sendWithdrawal,
} from "./consent";
import { FormTracker } from "./forms";
import { ClickTracker, documentSize, type HeatmapTag } from "./heatmap";
import { visitorId } from "./ids";
import { type Log, logger } from "./log";
import { watchNavigation } from "./navigation";
import type { Config, Purpose } from "./options";
import { type Recording, startRecording } from "./recorder";
import { inScope } from "./scope";
import { ScrollDepth } from "./scroll";
import { Session } from "./session";
import { trafficSource } from "./source";
import * as storage from "./storage";
import { Transport } from "./transport";

/** What is being captured: "" nothing, "r" rrweb, "h" heatmaps, "rh" both. */
type Mode = "" | "r" | "h" | "rh";

/**
 * One recorder on one page. The rule everything here serves: without a
 * confirmed consent nothing is captured, stored or sent, and a withdrawal
 * takes effect synchronously, before any network round trip.
 */
export class Veil {
  private readonly log: Log;
  private readonly session: Session;
  private readonly batcher: Batcher;
  private readonly transport: Transport;
  private grant: Grant | null = null;
  /** With a CMP, a grant kept from an earlier page waits for the CMP to confirm it. */
  private confirmed = false;
  private user: string | undefined;
  private mode: Mode = "";
  private recording: Recording | null = null;
  private clicks: ClickTracker | null = null;
  private scroll: ScrollDepth | null = null;
  private forms: FormTracker | null = null;
  private unwatchCmp: Unwatch | null = null;
  private unwatchNav: (() => void) | null = null;
  /** Bumped by every withdrawal, so a grant answered afterwards is not kept. */
  private epoch = 0;
  private lastErase = false;
  private chain: Promise<unknown> = Promise.resolve();
  private renewing = false;
  private droppedYoung = false;
  private stopped = false;
  private listening = false;

  constructor(
    private readonly config: Config,
    private readonly win: Window = window,
    private readonly now: () => number = Date.now,
  ) {
    this.log = logger(config.debug);
    this.session = new Session(config.sampleRate, now, () =>
      trafficSource(win.document.referrer, win.location.href),
    );
    this.batcher = new Batcher(win, this.onCut);
    this.transport = new Transport({
      config,
      log: this.log,
      now,
      token: () => this.grant?.token ?? null,
      nextSeq: (id) => this.session.nextSeq(id),
      holdUntil: () => (this.grant ? this.session.current().start + config.minSessionMs : 0),
      refused: (code) => {
        this.log(`ingest refused the consent (${code}); stopping as withdrawn`);
        this.epoch++;
        this.forget();
      },
    });
  }

  start(): void {
    this.listen(true);
    if (this.gpcRefuses()) {
      this.log("Global Privacy Control is on: nothing will be recorded");
      storage.clearAll();
    } else {
      const stored = loadGrant(this.now());
      if (stored) {
        this.grant = stored;
        this.confirmed = this.config.cmp === "none";
        storage.openGate();
        this.log("consent kept from an earlier page", stored.purposes);
      } else {
        // Whatever is left (an expired token) is no consent: remove it.
        storage.clearAll();
      }
    }
    this.apply();
    const handlers: CmpHandlers = {
      grant: (purposes, proof) => void this.grantPurposes(purposes, proof).catch((e) => this.log("grant failed", e)),
      deny: () => void this.withdraw(false).catch((e) => this.log("withdrawal failed", e)),
    };
    const wanted = this.config.purposes;
    if (this.config.cmp === "tcf") {
      this.unwatchCmp = watchTcf(this.win, this.config.tcfPurposes, wanted, handlers, this.log);
    } else if (this.config.cmp === "gcm") {
      this.unwatchCmp = watchGcm(this.win, wanted, handlers, this.log);
    }
  }

  /** Consent to exactly these purposes (replacing an earlier set). */
  grantPurposes(requested: readonly string[], proof?: CmpProof): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.gpcRefuses()) {
      this.log("Global Privacy Control is on: grant ignored");
      return Promise.resolve();
    }
    const purposes = normalisePurposes(requested).filter((p) => this.config.purposes.includes(p));
    if (purposes.length === 0) return this.withdraw(false);
    const epoch = this.epoch;
    return this.serial(() => (epoch === this.epoch ? this.applyGrant(purposes, proof, epoch) : Promise.resolve()));
  }

  async withdraw(erase: boolean): Promise<void> {
    this.epoch++;
    this.lastErase = erase;
    const token = this.grant?.token;
    this.forget();
    if (token) await sendWithdrawal(this.config, token, erase);
  }

  /** Resolves once everything captured so far is acknowledged by the server. */
  async flush(): Promise<void> {
    if (!this.grant) return;
    await this.clicks?.settled();
    this.forms?.release();
    this.scroll?.flush();
    this.batcher.cut();
    await this.transport.drain();
  }

  /** Stops capturing; what was captured under consent is still delivered. */
  stop(): void {
    if (this.stopped) return;
    this.clicks?.release();
    this.forms?.release();
    this.scroll?.flush();
    this.batcher.cut();
    this.stopped = true;
    this.stopCapture();
    this.unwatchCmp?.();
    this.unwatchCmp = null;
    this.watchNav(false);
    void this.transport.drain().then(
      () => this.listen(false),
      () => this.listen(false),
    );
  }

  identify(id: string | null | undefined): void {
    this.user = id === null || id === undefined || id === "" ? undefined : String(id);
  }

  /** `epoch` is the one the grant was asked in: a withdrawal since then wins. */
  private async applyGrant(purposes: Purpose[], proof: CmpProof | undefined, epoch: number): Promise<void> {
    const current = this.grant;
    if (current && samePurposes(current.purposes, purposes) && current.expiresAt > this.now()) {
      this.confirmed = true;
      this.apply();
      return;
    }
    const grant = await requestGrant(this.config, purposes, current?.visitor ?? visitorId(), proof);
    if (epoch !== this.epoch || this.stopped) {
      // Withdrawn while the server was answering: that token must not live on.
      void sendWithdrawal(this.config, grant.token, this.lastErase).catch(() => {});
      return;
    }
    storage.openGate();
    saveGrant(grant);
    this.grant = grant;
    this.confirmed = true;
    this.log("consent granted", purposes);
    if (current && current.purposes.some((p) => !purposes.includes(p))) {
      // Narrowed: the broader token must stop working too.
      void sendWithdrawal(this.config, current.token, false).catch((e) => this.log("old token not withdrawn", e));
    }
    this.apply();
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.chain.then(task);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Everything local goes, at once: capture, buffers, queued batches, storage. */
  private forget(): void {
    storage.closeGate();
    this.stopCapture();
    this.batcher.drop();
    this.transport.clear("consent withdrawn");
    this.session.forget();
    storage.clearAll();
    this.grant = null;
    this.confirmed = false;
    this.watchNav(false);
  }

  private gpcRefuses(): boolean {
    const nav = this.win.navigator as Navigator & { globalPrivacyControl?: boolean };
    return this.config.honorGpc && nav.globalPrivacyControl === true;
  }

  private wanted(): Mode {
    if (this.stopped || !this.grant || !this.confirmed) return "";
    if (!inScope(this.config.pages, this.win.location.href)) return "";
    const purposes = this.grant.purposes.filter((p) => this.config.purposes.includes(p));
    if (purposes.length === 0 || !this.session.current().sampled) return "";
    return ((purposes.includes("recording") ? "r" : "") + (purposes.includes("heatmaps") ? "h" : "")) as Mode;
  }

  /** Brings capture in line with consent, page scope and sampling. */
  private apply(): void {
    this.watchNav(!this.stopped && this.grant !== null && this.confirmed);
    const want = this.wanted();
    if (want === this.mode) return;
    this.stopCapture();
    if (want) this.startCapture(want);
  }

  private startCapture(mode: Mode): void {
    this.mode = mode;
    this.batcher.setPage();
    if (mode.includes("r")) this.recording = startRecording(this.config, this.onEvent, this.log);
    if (mode.includes("h")) {
      this.clicks = new ClickTracker(this.win, this.onHeatmap, this.now);
      this.scroll = new ScrollDepth(this.win, this.onHeatmap, this.now);
      this.forms = new FormTracker(this.win, this.onHeatmap, this.now);
      this.clicks.start();
      this.scroll.start();
      this.forms.start();
    }
    this.log(`capturing (${mode})`);
  }

  private stopCapture(): void {
    this.recording?.stop();
    this.clicks?.stop();
    this.scroll?.stop();
    this.forms?.stop();
    this.recording = null;
    this.clicks = null;
    this.scroll = null;
    this.forms = null;
    this.mode = "";
  }

  private readonly onHeatmap = (tag: HeatmapTag, payload: Record<string, unknown>, timestamp: number) => {
    // In the recording's own stream when rrweb runs; standalone otherwise
    // (heatmaps only, or rrweb still waiting for the page's load event).
    if (this.recording?.custom(tag, payload)) return;
    this.onEvent({ type: 5, timestamp, data: { tag, payload } });
  };

  private readonly onEvent = (event: unknown) => {
    if (!this.mode || this.renewing) return;
    if (this.session.expired()) {
      this.renewSession();
      return;
    }
    this.session.touch();
    this.batcher.add(event);
  };

  /**
   * After 30 idle minutes the next event begins a new session: the old
   * one's batch is cut, and capture restarts so the new session opens
   * with its own full snapshot (and its own sampling draw).
   */
  private renewSession(): void {
    this.batcher.cut();
    this.session.rotate();
    this.renewing = true;
    queueMicrotask(() => {
      this.renewing = false;
      this.stopCapture();
      this.apply();
    });
  }

  private readonly onCut = (cut: Cut) => {
    if (!this.grant) return;
    const s = this.session.current();
    this.transport.push({
      session: s.id,
      page: cut.page,
      viewport: { w: this.win.innerWidth, h: this.win.innerHeight },
      document: documentSize(this.win.document),
      user: this.user,
      source: s.source,
      events: cut.events,
    });
    this.session.save();
  };

  private readonly onNavigate = () => {
    if (!this.grant) return;
    // Held clicks, the old page's depth and its forms belong to the old page's batch.
    this.clicks?.release();
    this.scroll?.flush();
    this.forms?.navigated();
    this.batcher.cut();
    this.batcher.setPage();
    const before = this.mode;
    this.apply();
    if (this.mode && this.mode === before) {
      this.recording?.snapshot();
      this.scroll?.reset();
    }
  };

  private readonly onHide = () => {
    if (!this.grant) return;
    this.clicks?.release();
    this.scroll?.flush();
    this.forms?.hidden();
    if (this.now() < this.session.current().start + this.config.minSessionMs) {
      // A visit shorter than minSessionMs is not worth keeping: drop it.
      this.batcher.drop();
      this.transport.clear("session shorter than minSessionMs");
      this.droppedYoung = this.mode !== "";
      return;
    }
    this.batcher.cut();
    this.transport.unload();
  };

  private readonly onShow = () => {
    if (!this.grant || !this.mode) return;
    if (this.session.expired()) {
      this.renewSession();
    } else if (this.droppedYoung) {
      this.recording?.snapshot();
    }
    this.droppedYoung = false;
  };

  private readonly onVisibility = () => {
    if (this.win.document.visibilityState === "hidden") this.onHide();
    else this.onShow();
  };

  /**
   * Another tab of the same site withdrew (or replaced) the consent: this
   * tab follows at once instead of waiting for the server to refuse it.
   */
  private readonly onStorage = (e: StorageEvent) => {
    if (e.key !== `${storage.PREFIX}token` || !this.grant) return;
    const replaced = e.newValue === null ? null : loadGrant(this.now());
    if (!replaced) {
      this.log("consent withdrawn in another tab");
      this.epoch++;
      this.forget();
    } else {
      this.grant = replaced;
      this.apply();
    }
  };

  private listen(on: boolean): void {
    if (on === this.listening) return;
    this.listening = on;
    const method = on ? "addEventListener" : "removeEventListener";
    this.win.document[method]("visibilitychange", this.onVisibility);
    this.win[method]("pagehide", this.onHide);
    this.win[method]("storage", this.onStorage as EventListener);
  }

  private watchNav(on: boolean): void {
    if (on && !this.unwatchNav) this.unwatchNav = watchNavigation(this.win, this.onNavigate);
    if (!on && this.unwatchNav) {
      this.unwatchNav();
      this.unwatchNav = null;
    }
  }
}
