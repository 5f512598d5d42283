// Reading a recording file: plain or gzip (by magic bytes), split into lines.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** The file's text; gzip is detected by its magic bytes, not its name. */
export function readRecordingText(path: string): string {
  const raw = readFileSync(path);
  const gz = raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  return (gz ? gunzipSync(raw) : raw).toString("utf8");
}

/** Non-empty lines of a recording. */
export function recordingLines(path: string): string[] {
  return readRecordingText(path)
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0);
}

/** Error naming the file and line, for a record that does not parse. */
export class RecordingParseError extends Error {
  override readonly name = "RecordingParseError";
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${path}:${line}: ${detail}`);
  }
}
