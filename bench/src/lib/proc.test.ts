import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuCores, parseStatCpuSeconds, parseStatus, sampleProcess } from "./proc.js";

describe("procfs readings", () => {
  it("reads VmRSS, VmHWM and Threads from /proc/<pid>/status", () => {
    const text = "Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n";
    assert.deepEqual(parseStatus(text), {
      rssBytes: 100 * 2 ** 20,
      peakRssBytes: 200 * 2 ** 20,
      threads: 11,
    });
  });

  it("counts stat fields after the last parenthesis, so a command name with spaces and ')' is safe", () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const line = "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 11 0";
    assert.equal(parseStatCpuSeconds(line), 3);
  });

  it("rejects a line that is not a stat line", () => {
    assert.throws(() => parseStatCpuSeconds("garbage"), /stat/);
  });

  it("samples this process and computes cores from two samples", () => {
    const a = sampleProcess(process.pid);
    assert.ok(a.rssBytes > 0);
    const start = { ...a, cpuSeconds: 2 };
    const later = { ...start, at: a.at + 2000, cpuSeconds: 3 };
    assert.equal(cpuCores(start, later), 0.5);
    assert.equal(cpuCores(a, a), 0);
  });
});
