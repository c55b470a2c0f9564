/**
 * A grouped bar chart as a standalone SVG string: one group per run (size or
 * transport), one bar per target, values printed on the bars. Written from
 * the result JSON, no chart library.
 */

/** One group of bars. */
export interface BarGroup {
  readonly label: string;
  /** Value per series, in series order; undefined draws no bar. */
  readonly values: ReadonlyArray<number | undefined>;
}

/** What to draw. */
export interface BarChart {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly string[];
  readonly groups: readonly BarGroup[];
}

const COLORS = ["#2f6fb0", "#7fa8d8", "#d9822b"];
const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { top: 48, right: 16, bottom: 72, left: 72 };

function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * power >= max) return m * power;
  return 10 * power;
}

function short(value: number): string {
  if (value === 0) return "0";
  if (value >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Render the chart. */
export function barChartSvg(chart: BarChart): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = chart.groups.flatMap((g) =>
    g.values.filter((v): v is number => v !== undefined && Number.isFinite(v)),
  );
  const top = niceMax(Math.max(0, ...all));
  const groupW = plotW / Math.max(1, chart.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, chart.series.length);
  const y = (v: number) => MARGIN.top + plotH - (v / top) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#dddddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${short(v)}</text>`,
    );
  }
  parts.push(
    `<text x="16" y="${MARGIN.top + plotH / 2}" transform="rotate(-90 16 ${MARGIN.top + plotH / 2})" text-anchor="middle">${escapeXml(chart.unit)}</text>`,
  );
  chart.groups.forEach((group, gi) => {
    const gx = MARGIN.left + gi * groupW + groupW * 0.1;
    group.values.forEach((v, si) => {
      if (v === undefined || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      parts.push(
        `<rect class="bar" x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(MARGIN.top + plotH - y(v)).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"/>`,
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="11">${short(v)}</text>`,
      );
    });
    parts.push(
      `<text x="${(gx + groupW * 0.4).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${escapeXml(group.label)}</text>`,
    );
  });
  chart.series.forEach((name, si) => {
    const x = MARGIN.left + si * 200;
    const ly = HEIGHT - 22;
    parts.push(
      `<rect x="${x}" y="${ly - 10}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`,
      `<text x="${x + 18}" y="${ly}">${escapeXml(name)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
