// Shapes of the Veil API answers the console reads (docs/heatmaps.md,
// docs/sessions.md, docs/forms.md, docs/insights.md, and the segments
// contract). Only the fields the console uses are required.

export type Role = "analyst" | "admin";
export type Device = "desktop" | "tablet" | "mobile";
export type DeviceFilter = Device | "all";

export interface Me {
  name: string;
  role: Role;
}

export interface Site {
  id: string;
  purposes: string[];
  retention_days: number;
  heatmap_retention_days: number;
  k_min: number;
}

export interface PageRow {
  page: string;
  views: number;
  clicks: number;
  visitors: number;
}

export interface Grid {
  cols: number;
  row_px: number;
}

export interface Cell {
  x: number;
  y: number;
  count: number;
  rage?: number;
  dead?: number;
}

export interface ClickLayer {
  grid: Grid;
  cells: Cell[];
  total: number;
  visitors: number;
}

export interface ElementRow {
  selector: string;
  count: number;
  rage: number;
  dead: number;
  visitors: number;
}

export interface ClickHeatmap extends ClickLayer {
  page: string;
  kind: "click";
  device: DeviceFilter;
  from?: string;
  to?: string;
  k_min: number;
  fixed?: ClickLayer;
  elements?: ElementRow[];
}

export interface ScrollHeatmap {
  page: string;
  kind: "scroll";
  device: DeviceFilter;
  depth: { pct: number; reached: number }[];
  total: number;
}

/** One field of a form's funnel; rates are fractions (0..1) of the form's starts or of the field's reaches. */
export interface FormField {
  field: string;
  position: number;
  reached: number;
  reach_rate: number;
  drop_off: number;
  median_ms: number;
  refilled: number;
  refill_rate: number;
  errored: number;
  error_rate: number;
  abandoned: number;
  visitors: number;
}

export interface FormFunnel {
  /** The form's masked selector; "" gathers the fields outside any form. */
  form: string;
  started: number;
  submitted: number;
  submit_rate: number;
  abandoned: number;
  abandon_rate: number;
  /** The field most abandonments ended at. */
  last_field: string | null;
  visitors: number;
  fields: FormField[];
}

export interface Forms {
  page: string;
  device: DeviceFilter;
  from: string;
  to: string;
  k_min: number;
  forms: FormFunnel[];
}

/** An rrweb event as the API sends it (`{type, data, timestamp}`). */
export interface RrwebEvent {
  type: number;
  // rrweb's event data is a large union; the console reads a few fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  timestamp: number;
}

export interface Snapshot {
  page: string;
  device: Device;
  viewport: { w: number; h: number };
  events: RrwebEvent[];
}

export interface SessionRow {
  session: string;
  visitor: string;
  user: string | null;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  active_ms: number;
  entry_page: string;
  pages: string[];
  device: Device;
  browser: string;
  clicks: number;
  rage_clicks: number;
  dead_clicks: number;
  errors: number;
  batches: number;
  events: number;
  /** The session's traffic source and campaign (servers with segments). */
  source?: string;
  utm?: Record<string, string>;
}

export interface SessionList {
  total: number;
  sessions: SessionRow[];
}

export interface Report {
  session: string;
  reporter: string;
  reason: string;
  reported_at: string;
}

export interface AuditEntry {
  at: string;
  actor: string;
  role: string;
  action: string;
  site: string;
  subject: string;
  detail: unknown;
}

export interface ConsentEntry {
  consent_id: string;
  visitor: string;
  action: string;
  purposes: string[];
  cmp: { framework: string; proof: string };
  erase: boolean;
  key_id: string;
  at: string;
  expires_at: string;
}

export interface ErasureReceipt {
  receipt: string;
  site: string;
  visitor: string;
  subject: string;
  erased_at: string;
  deleted: Record<string, number>;
  sessions: number;
  consents_revoked: number;
  aggregates?: string;
}

/** The four frustration signals of `GET …/insights` (docs/insights.md). */
export type SignalKind = "rage_clicks" | "dead_clicks" | "quick_back" | "excessive_scrolling";

export interface Insight {
  page: string;
  /** One of SignalKind; a newer server may send others, shown by name. */
  signal: string;
  /** Clicks for rage and dead clicks, returns or page views for the others. */
  occurrences: number;
  sessions: number;
  visitors: number;
  /** Up to five session ids that showed the signal, most telling first. */
  examples: string[];
}

export interface Insights {
  site: string;
  page: string | null;
  device: DeviceFilter;
  from: string;
  to: string;
  k_min: number;
  insights: Insight[];
}

/** Referrer classes of a session's landing page. */
export type Source = "direct" | "search" | "social" | "email" | "other" | "unknown";

/** `GET …/segments`: the segments with at least `k_min` visitors in the range. */
export interface Segments {
  k_min: number;
  sources: { source: string; visitors: number }[];
  campaigns: { param: string; value: string; visitors: number }[];
}
