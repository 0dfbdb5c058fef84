import type { CmpProof } from "../consent";
import type { Purpose } from "../options";

/** What a CMP adapter reports; the controller turns it into grant/withdraw. */
export interface CmpHandlers {
  /** The visitor consented to these purposes (never empty). */
  grant(purposes: Purpose[], proof: CmpProof): void;
  /** The visitor refused or withdrew. */
  deny(): void;
}

/** Detaches the adapter. */
export type Unwatch = () => void;
