import { describe, expect, it } from "vitest";
import { fullCollection, IdleGc, type IdleGcProbe } from "./idle-gc.js";

const MB = 2 ** 20;
const OPTIONS = { intervalMs: 5000, growthBytes: 32 * MB, idleCpuShare: 0.05 };

/** A process whose RSS and CPU use the test sets; a collection brings RSS down to `live`. */
function fakeProcess(start: number) {
  const state = { rss: start, live: start, cpuMs: 0, collections: 0 };
  const probe: IdleGcProbe = {
    rss: () => state.rss,
    cpuSinceLast: () => {
      const used = state.cpuMs * 1000;
      state.cpuMs = 0;
      return used;
    },
    collect: () => {
      state.collections++;
      state.rss = state.live;
    },
  };
  return { state, gc: new IdleGc(probe, OPTIONS) };
}

describe("Runtime: the idle collection", () => {
  it("collects once the process is idle and has grown past the floor, then takes the new level as floor", () => {
    const { state, gc } = fakeProcess(90 * MB);
    state.rss = 300 * MB;
    state.live = 100 * MB;
    state.cpuMs = 2000; // busy handling the large message
    expect(gc.check()).toBe(false);
    expect(gc.check()).toBe(true); // quiet now
    expect(state.rss).toBe(100 * MB);
    expect(gc.check()).toBe(false); // nothing new: no collection on every tick
    expect(state.collections).toBe(1);
  });

  it("leaves a process alone that grew a little, or that stays busy", () => {
    const { state, gc } = fakeProcess(90 * MB);
    state.rss = 110 * MB;
    expect(gc.check()).toBe(false);
    state.rss = 400 * MB;
    for (let i = 0; i < 3; i++) {
      state.cpuMs = 1000;
      expect(gc.check()).toBe(false);
    }
    expect(state.collections).toBe(0);
  });

  it("gets V8's full collection without --expose-gc, and it frees dropped buffers", () => {
    const collect = fullCollection();
    collect();
    const before = process.memoryUsage().arrayBuffers;
    let big: Buffer | null = Buffer.alloc(200 * MB, 1);
    expect(process.memoryUsage().arrayBuffers).toBeGreaterThan(before + 150 * MB);
    big = null;
    void big;
    collect();
    expect(process.memoryUsage().arrayBuffers).toBeLessThan(before + 50 * MB);
  });
});
