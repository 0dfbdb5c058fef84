// What the console knows between views: who is signed in, the sites, the
// sessions rows last listed (the replay view shows their facts), and
// whether the server knows segments.

import type { Me, SessionRow, Site } from "./types";

export const state = {
  me: null as Me | null,
  sites: [] as Site[],
  /** Session rows by `site/session`, filled by the sessions list. */
  sessions: new Map<string, SessionRow>(),
  /** Sessions reported in this tab: dropped from lists at once. */
  reported: new Set<string>(),
  /**
   * Per site, whether the server answers `GET …/segments` (false after a
   * 404: a server older than segments, whose other endpoints would
   * ignore a segment filter, so the console does not send one).
   */
  segmentSupport: new Map<string, boolean>(),
};

export const isAdmin = (): boolean => state.me?.role === "admin";
export const siteById = (id: string): Site | undefined => state.sites.find((s) => s.id === id);
export const sessionKey = (site: string, session: string): string => `${site}/${session}`;

export function resetState(): void {
  state.me = null;
  state.sites = [];
  state.sessions.clear();
  state.segmentSupport.clear();
}
