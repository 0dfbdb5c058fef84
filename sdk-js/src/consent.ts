import { PURPOSES, type Config, type Purpose } from "./options";
import * as storage from "./storage";

/** A consent the server has acknowledged with a token. */
export interface Grant {
  token: string;
  visitor: string;
  purposes: Purpose[];
  /** ms since the epoch */
  expiresAt: number;
}

/** Where a consent came from, kept by the server as proof for an auditor. */
export interface CmpProof {
  framework: string;
  proof?: string;
}

/** The server refused: `code` is its snake_case error code. */
export class VeilError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`veil: ${status} ${code}`);
  }
}

/** Known purposes only, in a fixed order so two sets compare as strings. */
export function normalisePurposes(purposes: readonly string[]): Purpose[] {
  return PURPOSES.filter((p) => purposes.includes(p));
}

export function samePurposes(a: readonly Purpose[], b: readonly Purpose[]): boolean {
  return normalisePurposes(a).join() === normalisePurposes(b).join();
}

/** The grant kept from an earlier page, if still valid. */
export function loadGrant(now: number): Grant | null {
  const token = storage.read("local", "token");
  const visitor = storage.read("local", "visitor");
  const expires = Date.parse(storage.read("local", "expires") ?? "");
  const purposes = normalisePurposes((storage.read("local", "purposes") ?? "").split(","));
  if (!token || !visitor || !(expires > now) || purposes.length === 0) return null;
  return { token, visitor, purposes, expiresAt: expires };
}

export function saveGrant(grant: Grant): void {
  storage.write("local", "visitor", grant.visitor);
  storage.write("local", "token", grant.token);
  storage.write("local", "expires", new Date(grant.expiresAt).toISOString());
  storage.write("local", "purposes", grant.purposes.join(","));
}

/** Reads `{"error": {"code"}}` without trusting the body to be JSON. */
export async function errorCode(response: Response): Promise<string> {
  try {
    const body = await response.json();
    const code = body?.error?.code;
    return typeof code === "string" ? code : "unknown";
  } catch {
    return "unknown";
  }
}

/** `POST /v1/consent`: the server logs the grant and signs a token for it. */
export async function requestGrant(
  config: Config,
  purposes: Purpose[],
  visitor: string,
  cmp: CmpProof | undefined,
): Promise<Grant> {
  const body: Record<string, unknown> = { site: config.site, purposes, visitor };
  if (cmp) body.cmp = cmp;
  const response = await fetch(`${config.endpoint}/v1/consent`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
  });
  if (response.status !== 201) throw new VeilError(response.status, await errorCode(response));
  const answer = await response.json();
  const expiresAt = Date.parse(answer?.expires_at);
  if (typeof answer?.token !== "string" || !(expiresAt > 0)) throw new VeilError(response.status, "bad_answer");
  return { token: answer.token, visitor, purposes, expiresAt };
}

/**
 * `POST /v1/consent/withdraw`. `keepalive` because a withdrawal is often
 * the last thing a page does (a banner that reloads, a link away).
 */
export async function sendWithdrawal(config: Config, token: string, erase: boolean): Promise<void> {
  const response = await fetch(`${config.endpoint}/v1/consent/withdraw`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Consent-Token": token },
    body: JSON.stringify({ erase }),
    credentials: "omit",
    keepalive: true,
  });
  if (response.status !== 200) throw new VeilError(response.status, await errorCode(response));
}
