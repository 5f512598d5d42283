// The execution side's shape, checked: short modules, no operator imported by a sink, and no
// Subject in the sink's public surface.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { ExecutionSink } from "../../sinks/executionSink.js";
import { packageRoot } from "../../sources/paths.js";
import { FakeVenue } from "./fakeVenue.js";

const dir = join(packageRoot(), "sinks");
const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));

describe("sinks/ layout", () => {
  it.each(files)("%s is at most 450 lines", (f) => {
    expect(readFileSync(join(dir, f), "utf8").split("\n").length).toBeLessThanOrEqual(450);
  });

  it.each(files)("%s imports nothing from operators/", (f) => {
    expect(readFileSync(join(dir, f), "utf8")).not.toMatch(/from "\.\.\/operators\//);
  });

  it("exposes no Subject: events$ is a plain Observable, and no property is a Subject", () => {
    const scheduler = new VirtualTimeScheduler();
    const sink = new ExecutionSink(new FakeVenue(scheduler), { cloidSeed: 1, deadMan: false }, scheduler);
    expect(sink.events$).not.toBeInstanceOf(Subject);
    const surface = [...Object.keys(sink), ...Object.getOwnPropertyNames(ExecutionSink.prototype)].map((k) => {
      try {
        return (sink as unknown as Record<string, unknown>)[k];
      } catch {
        return undefined;
      }
    });
    expect(surface.some((v) => v instanceof Subject)).toBe(false);
  });
});
