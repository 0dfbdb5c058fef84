// The recorded page behind a heatmap (and the comparison's difference
// view): the newest snapshot of the page for the device, rebuilt on a
// stage, or a blank page of the device's usual width, with a note saying
// which and why.

import { api, ApiError } from "../api";
import type { Device, DeviceFilter, Snapshot } from "../types";
import { deviceLabel, note } from "../ui";
import { blankStage, FALLBACK_WIDTH, snapshotStage, type Stage } from "./stage";

/** Which recorded devices to try for the page background, in order. */
export function snapshotDevices(device: DeviceFilter): Device[] {
  return device === "all" ? ["desktop", "tablet", "mobile"] : [device];
}

export async function findSnapshot(site: string, page: string, device: DeviceFilter): Promise<Snapshot | null> {
  for (const d of snapshotDevices(device)) {
    try {
      return await api.snapshot(site, page, d);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) continue;
      throw error;
    }
  }
  return null;
}

export interface PageStage {
  stage: Stage;
  /** What to tell about the background (no snapshot, another device, …), if anything. */
  message: HTMLElement | null;
}

/**
 * Builds the stage in `host`. `current()` says whether the caller still
 * wants it (filters change while snapshots load); null when it does not.
 */
export async function buildStage(
  host: HTMLElement,
  site: string,
  page: string,
  device: DeviceFilter,
  fallbackHeight: number,
  current: () => boolean,
): Promise<PageStage | null> {
  let message: HTMLElement | null = null;
  let snapshot: Snapshot | null = null;
  try {
    snapshot = await findSnapshot(site, page, device);
  } catch (error) {
    if (!current()) return null;
    message = note("error", "The page snapshot could not be loaded; clicks are drawn on a blank page.", describe(error));
  }
  if (!current()) return null;
  let made: Stage | null = null;
  if (snapshot && snapshot.events?.length) {
    try {
      made = await snapshotStage(host, snapshot);
      if (device === "all" && snapshot.device !== "desktop") {
        message = note("info", `No desktop recording of this page: shown on the ${snapshot.device} page.`);
      } else if (device === "all") {
        message = note("info", "All devices: clicks of every device class are drawn on the desktop page. Layouts differ, so pick one device for exact positions.");
      }
    } catch (error) {
      if (!current()) return null;
      message = note("error", "The recorded page could not be rebuilt; clicks are drawn on a blank page.", describe(error));
    }
  } else if (snapshot === null && !message) {
    const d = device === "all" ? "any device" : deviceLabel(device).toLowerCase();
    message = note("info", `No page snapshot recorded for ${d} yet: clicks are drawn on a blank page of the usual width.`);
  }
  if (!current()) {
    made?.destroy();
    made?.el.remove();
    return null;
  }
  if (!made) made = blankStage(host, FALLBACK_WIDTH[device === "all" ? "desktop" : device], fallbackHeight);
  return { stage: made, message };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
