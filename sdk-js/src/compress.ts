import { gzipSync } from "fflate";
import type { Compressed, Compressor } from "./options";

/**
 * gzip through the browser's own `CompressionStream`: no bytes shipped,
 * off the main thread. Null where the browser lacks it (Safari < 16.4).
 */
export const gzipStream: Compressor = async (data) => {
  if (typeof CompressionStream !== "function") return null;
  try {
    const stream = new CompressionStream("gzip");
    const writer = stream.writable.getWriter();
    void writer.write(data as Uint8Array<ArrayBuffer>).catch(() => {});
    void writer.close().catch(() => {});
    const reader = stream.readable.getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.byteLength;
    }
    const body = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return { body, encoding: "gzip" };
  } catch {
    return null;
  }
};

/**
 * While the page is being hidden or unloaded there is no later tick to
 * await a stream in, so the last batches are compressed synchronously.
 */
export function gzipNow(data: Uint8Array): Compressed {
  return { body: gzipSync(data, { level: 6 }), encoding: "gzip" };
}
