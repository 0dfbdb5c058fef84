/**
 * Stands in for `@rrweb/record` where a test is about what Veil does
 * around rrweb (options, snapshots on navigation, custom events), not
 * about rrweb. State lives on globalThis so it survives vi.resetModules.
 */
interface FakeState {
  options: Record<string, unknown>[];
  emit: ((event: unknown) => void) | null;
  snapshots: number;
  stops: number;
}

const g = globalThis as unknown as { __fakeRrweb?: FakeState };
export const rr: FakeState = (g.__fakeRrweb ??= { options: [], emit: null, snapshots: 0, stops: 0 });

export function resetFakeRrweb(): void {
  rr.options = [];
  rr.emit = null;
  rr.snapshots = 0;
  rr.stops = 0;
}

function snapshot(): void {
  rr.snapshots++;
  rr.emit?.({ type: 4, timestamp: Date.now(), data: { href: location.href, width: 1024, height: 768 } });
  rr.emit?.({ type: 2, timestamp: Date.now(), data: { node: { type: 0, id: 1, childNodes: [] }, initialOffset: { left: 0, top: 0 } } });
}

export function fakeRecord(options: Record<string, unknown>): () => void {
  rr.options.push(options);
  const emit = options.emit as (event: unknown) => void;
  rr.emit = (event) => emit(event);
  snapshot();
  return () => {
    rr.stops++;
    rr.emit = null;
  };
}

fakeRecord.addCustomEvent = (tag: string, payload: unknown) => {
  if (!rr.emit) throw new Error("please add custom event after start recording");
  rr.emit({ type: 5, timestamp: Date.now(), data: { tag, payload } });
};

fakeRecord.takeFullSnapshot = () => {
  if (!rr.emit) throw new Error("please take full snapshot after start recording");
  snapshot();
};

/** An rrweb incremental event (a mouse move), as the real recorder emits. */
export function rrwebMove(): void {
  rr.emit?.({ type: 3, timestamp: Date.now(), data: { source: 1, positions: [{ x: 1, y: 2, id: 1, timeOffset: 0 }] } });
}
