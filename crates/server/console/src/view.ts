// The contract between the router (main.ts) and the views.

import type { Route } from "./router";
import type { Me, Site } from "./types";

export interface ViewContext {
  /** The element the view owns (the main column). */
  root: HTMLElement;
  route: Route;
  site: Site;
  me: Me;
}

export interface ViewInstance {
  /** Takes a new route of the same view and site in place; false asks for a fresh mount. */
  update?(route: Route): boolean;
  destroy?(): void;
}

export type View = (ctx: ViewContext) => ViewInstance;
