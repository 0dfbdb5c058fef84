/** A batch is cut when its events reach about this many bytes (as JSON) … */
export const BATCH_BYTES = 64 * 1024;
/** … or when its first event is this old. */
export const BATCH_MS = 5000;

export interface PageInfo {
  url: string;
  title: string;
}

/** Events cut from the buffer, with the page they all happened on. */
export interface Cut {
  page: PageInfo;
  events: unknown[];
}

function estimate(event: unknown): number {
  try {
    return JSON.stringify(event)?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Collects events of one page until a cut: by size, by age, or on demand
 * (navigation, hiding, flush). The page is set explicitly at navigation
 * rather than read at cut time, because `popstate` fires after the URL
 * already changed.
 */
export class Batcher {
  private events: unknown[] = [];
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private page: PageInfo;

  constructor(
    private readonly win: Window,
    private readonly onCut: (cut: Cut) => void,
    private readonly maxBytes = BATCH_BYTES,
    private readonly maxMs = BATCH_MS,
  ) {
    this.page = this.here();
  }

  get size(): number {
    return this.events.length;
  }

  add(event: unknown): void {
    this.events.push(event);
    this.bytes += estimate(event);
    if (this.bytes >= this.maxBytes) this.cut();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.cut(), this.maxMs);
  }

  cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    this.bytes = 0;
    // Titles often change after an SPA route renders: take the latest one
    // as long as we are still on the batch's page.
    if (this.win.location.href === this.page.url) this.page.title = this.win.document.title;
    this.onCut({ page: { ...this.page }, events });
  }

  /** The page following events belong to; call after cutting. */
  setPage(): void {
    this.page = this.here();
  }

  drop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.events = [];
    this.bytes = 0;
  }

  private here(): PageInfo {
    return { url: this.win.location.href, title: this.win.document.title };
  }
}
