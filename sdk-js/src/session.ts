import { uuid } from "./ids";
import { sample } from "./scope";
import { parseSource, type TrafficSource } from "./source";
import * as storage from "./storage";

/** A visit ends after this long without an event (the usual analytics rule). */
export const IDLE_MS = 30 * 60 * 1000;

export interface SessionState {
  id: string;
  /** ms since the epoch when it began: `minSessionMs` counts from here */
  start: number;
  /** last event, ms */
  last: number;
  /** last `seq` handed out */
  seq: number;
  /** drawn once against `sampleRate` */
  sampled: boolean;
  /** where the visit came from, read when it began (absent: unknown) */
  source?: TrafficSource;
}

const KEY = "session";

function parse(text: string | null): SessionState | null {
  if (!text) return null;
  try {
    const s = JSON.parse(text);
    if (typeof s?.id === "string" && [s.start, s.last, s.seq].every((n) => typeof n === "number")) {
      return {
        id: s.id,
        start: s.start,
        last: s.last,
        seq: s.seq,
        sampled: s.sampled === true,
        source: parseSource(s.source),
      };
    }
  } catch {
    /* corrupt: start afresh */
  }
  return null;
}

/**
 * The session lives in sessionStorage: one tab's visit, gone when the tab
 * closes, and only created once there is consent. `seq` is persisted so a
 * reload continues the numbering the server dedupes retries by.
 */
export class Session {
  private state: SessionState | null = null;
  /** counters of earlier sessions whose batches are still queued */
  private older = new Map<string, number>();

  constructor(
    private readonly sampleRate: number,
    private readonly now: () => number = Date.now,
    /** The landing page's source, read when a visit begins on this page. */
    private readonly landing: () => TrafficSource | undefined = () => undefined,
  ) {}

  /** The current session, resumed from this tab or begun now. */
  current(): SessionState {
    if (!this.state) {
      const stored = parse(storage.read("session", KEY));
      this.state = stored && this.now() - stored.last < IDLE_MS ? stored : this.fresh(this.landing());
      this.save();
    }
    return this.state;
  }

  /** Whether the visit went idle and a new session must begin. */
  expired(): boolean {
    return this.state !== null && this.now() - this.state.last >= IDLE_MS;
  }

  /**
   * Ends the current session and begins a new one (sampled anew). The
   * visitor came back to a page already open, so the new visit is direct,
   * as analytics tools count a visit after a timeout.
   */
  rotate(): SessionState {
    if (this.state) this.older.set(this.state.id, this.state.seq);
    this.state = this.fresh({ referrer: "direct", utm: {} });
    this.save();
    return this.state;
  }

  touch(): void {
    this.current().last = this.now();
  }

  nextSeq(id: string): number {
    const s = this.current();
    if (id === s.id) {
      s.seq += 1;
      this.save();
      return s.seq;
    }
    const n = (this.older.get(id) ?? 0) + 1;
    this.older.set(id, n);
    return n;
  }

  save(): void {
    if (this.state) storage.write("session", KEY, JSON.stringify(this.state));
  }

  /** Forgets everything (withdrawal). */
  forget(): void {
    this.state = null;
    this.older.clear();
  }

  private fresh(source: TrafficSource | undefined): SessionState {
    const now = this.now();
    return { id: uuid(), start: now, last: now, seq: 0, sampled: sample(this.sampleRate), source };
  }
}
