import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { barChartSvg, niceMax } from "./svg.js";

describe("bar chart", () => {
  it("picks an axis maximum of 1, 2 or 5 times a power of ten", () => {
    assert.equal(niceMax(0), 1);
    assert.equal(niceMax(7), 10);
    assert.equal(niceMax(13), 20);
    assert.equal(niceMax(420), 500);
    assert.equal(niceMax(1000), 1000);
  });

  it("draws one bar per present value, scaled to the axis, and escapes text", () => {
    const svg = barChartSvg({
      title: "a < b & c",
      unit: "ms",
      series: ["one", "two"],
      groups: [
        { label: "g1", values: [50, 100] },
        { label: "g2", values: [undefined, 25] },
      ],
    });
    assert.match(svg, /a &lt; b &amp; c/);
    const bars = [
      ...svg.matchAll(
        /<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g,
      ),
    ];
    assert.equal(bars.length, 3);
    const heights = bars.map((m) => Number(m[2]));
    // 100 is the axis maximum: the tallest bar spans the plot, 50 half of it.
    assert.ok(Math.abs((heights[0] as number) * 2 - (heights[1] as number)) < 0.2);
  });
});
