/**
 * A grouped horizontal bar chart as a standalone SVG: one group of bars per
 * category (a value's label), one bar per series, a legend, an axis with
 * round ticks. Values spanning more than two orders of magnitude switch the
 * axis to a log scale (said in the axis title), so small bars stay visible.
 */

export interface ChartSeries {
  label: string;
  values: { label: string; value: number }[];
}

export interface Chart {
  title: string;
  unit: string;
  series: ChartSeries[];
}

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"] as const;

const WIDTH = 760;
const BAR = 14;
const GAP = 3;
const GROUP_GAP = 12;
const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"`;

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A number as a chart label: three significant digits, no exponent for ordinary sizes. */
export function formatValue(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) >= 10000 ? n.toLocaleString("en-US") : String(n);
  const abs = Math.abs(n);
  if (abs >= 10000) return Math.round(n).toLocaleString("en-US");
  if (abs >= 1000) return n.toFixed(0);
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return Number(n.toPrecision(3)).toString();
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
function linearTicks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Powers of ten spanning [min, max]. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

/** Render the chart as an SVG document. */
export function renderChart(chart: Chart): string {
  const categories: string[] = [];
  for (const s of chart.series) for (const v of s.values) if (!categories.includes(v.label)) categories.push(v.label);
  const values = chart.series.flatMap((s) => s.values.map((v) => v.value)).filter((v) => Number.isFinite(v));
  const positive = values.filter((v) => v > 0);
  const max = Math.max(0, ...values);
  const minPositive = positive.length ? Math.min(...positive) : 1;
  const log = positive.length === values.length && positive.length > 1 && max / minPositive > 100;
  const ticks = log ? logTicks(minPositive, max) : linearTicks(max);
  const lo = log ? ticks[0]! : 0;
  const hi = ticks.at(-1)!;

  const labelWidth = Math.min(260, 12 + 6.6 * Math.max(8, ...categories.map((c) => c.length)));
  const left = labelWidth + 10;
  const right = WIDTH - 70;
  const scale = (v: number): number => {
    if (log) return left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (right - left);
    return left + (hi === 0 ? 0 : (v / hi) * (right - left));
  };

  const legendRows = Math.ceil(chart.series.length / 4);
  const top = 44 + legendRows * 18;
  const groupHeight = chart.series.length * (BAR + GAP) - GAP;
  const plotHeight = categories.length * (groupHeight + GROUP_GAP);
  const height = top + plotHeight + 46;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${xml(chart.title)}">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600" ${FONT} fill="#1b1f24">${xml(chart.title)}</text>`);

  chart.series.forEach((s, i) => {
    const x = 16 + (i % 4) * ((WIDTH - 32) / 4);
    const y = 38 + Math.floor(i / 4) * 18;
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`);
    out.push(`<text x="${x + 17}" y="${y + 10.5}" font-size="12" ${FONT} fill="#1b1f24">${xml(s.label)}</text>`);
  });

  for (const t of ticks) {
    const x = scale(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + plotHeight}" stroke="#d5dae0" stroke-width="1"/>`);
    out.push(`<text x="${x}" y="${top + plotHeight + 15}" text-anchor="middle" font-size="11" ${FONT} fill="#5b6470">${formatValue(t)}</text>`);
  }
  out.push(`<text x="${(left + right) / 2}" y="${top + plotHeight + 36}" text-anchor="middle" font-size="12" ${FONT} fill="#5b6470">${xml(chart.unit)}${log ? " (log scale)" : ""}</text>`);

  categories.forEach((category, g) => {
    const y0 = top + g * (groupHeight + GROUP_GAP);
    out.push(`<text x="${labelWidth}" y="${(y0 + groupHeight / 2 + 4).toFixed(1)}" text-anchor="end" font-size="12" ${FONT} fill="#1b1f24">${xml(category)}</text>`);
    chart.series.forEach((s, i) => {
      const v = s.values.find((x) => x.label === category)?.value;
      if (v === undefined || !Number.isFinite(v)) return;
      const y = y0 + i * (BAR + GAP);
      const w = Math.max(1, scale(v) - left);
      out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${COLOURS[i % COLOURS.length]}"><title>${xml(`${s.label}, ${category}: ${formatValue(v)} ${chart.unit}`)}</title></rect>`);
      out.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + BAR - 3}" font-size="11" ${FONT} fill="#1b1f24">${formatValue(v)}</text>`);
    });
  });
  out.push(`<line x1="${left}" y1="${top - 4}" x2="${left}" y2="${top + plotHeight}" stroke="#5b6470" stroke-width="1"/>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
