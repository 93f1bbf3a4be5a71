// Charts on uPlot (small, canvas, made for time series; no CDN, CSP-clean: it sets styles through
// the CSSOM only). Every chart has a text summary for screen readers and a table with its numbers.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** "right": a second axis for counters much smaller than the first (likes beside views). */
  axis?: "left" | "right";
}

// AA contrast on white; lines also differ by dash pattern, so colour is never the only cue.
const COLOURS = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c"];
const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [8, 3, 2, 3], [12, 4]];

const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 2.5e5, 5e5, 1e6, 2e6, 2.5e6, 5e6, 1e7, 2e7, 5e7, 1e8, 2e8, 5e8, 1e9];

function axis(scale: string, side: 1 | 3 = 3): uPlot.Axis {
  return {
    scale,
    side,
    stroke: "#4b5563",
    grid: { show: side === 3, stroke: "#e5e7eb", width: 1 },
    ticks: { stroke: "#d5d9e0", width: 1 },
    size: 60,
    values: (_u, ticks) => ticks.map((t) => compactTick(t)),
  };
}

function compactTick(value: number): string {
  return new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

export interface ChartProps {
  /** What the chart shows, said to screen readers instead of the canvas. */
  summary: string;
  /** Unix seconds. */
  x: number[];
  series: ChartSeries[];
  bars?: boolean;
  /** Days (dates in UTC) rather than moments (shown in local time). */
  utcDays?: boolean;
  height?: number;
  /** The same numbers as a table, behind a disclosure. */
  table: ComponentChildren;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const height = props.height ?? 260;
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(260, Math.floor(element.clientWidth));
    const right = props.series.some((s) => s.axis === "right");
    const few = props.x.length < 40;
    let plot: uPlot | null = null;
    let observer: ResizeObserver | null = null;
    let cancelled = false;
    // uPlot is loaded with the first chart, so the rest of the app starts without it.
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled) return;
      const options: uPlot.Options = {
        width: width(),
        height,
        // The legend names the lines (and reads out values under the pointer) when there are several.
        legend: { show: props.series.length > 1 },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // From the data itself: bars get half a week each side so the first and last are whole; a
          // single reading gets a day (or an hour) around it.
          x: { time: true, range: () => xRange(props.x, !!props.bars, !!props.utcDays) },
          y: { range: (_u, min, max) => yRange(min, max, !!props.bars) },
          ...(right ? { r: { range: (_u: uPlot, min: number, max: number) => yRange(min, max, false) } } : {}),
        },
        axes: [
          { stroke: "#4b5563", grid: { show: false }, ticks: { stroke: "#d5d9e0", width: 1 } },
          // Counts are whole numbers: no 0.5 posts on the axis.
          { ...axis("y"), incrs: WHOLE_STEPS },
          ...(right ? [{ ...axis("r", 1), incrs: WHOLE_STEPS }] : []),
        ],
        series: [
          {},
          ...props.series.map((s, i) => ({
            label: s.label,
            scale: s.axis === "right" ? "r" : "y",
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            dash: props.bars ? undefined : DASHES[i % DASHES.length],
            fill: props.bars ? "rgba(29, 78, 216, 0.75)" : undefined,
            paths: props.bars ? UPlot.paths.bars?.({ size: [0.6, 48] }) : undefined,
            points: { show: !props.bars && few, size: 6 },
            value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "—" : new Intl.NumberFormat().format(v)),
          })),
        ],
        ...(props.utcDays ? { tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), "Etc/UTC") } : {}),
      };
      const data: uPlot.AlignedData = [props.x, ...props.series.map((s) => s.values)];
      const drawn = new UPlot(options, data, element);
      plot = drawn;
      // The canvas is a picture; the summary (role=img on the box) and the table carry the meaning.
      drawn.root.setAttribute("aria-hidden", "true");
      observer = new ResizeObserver(() => {
        if (drawn.width !== width()) drawn.setSize({ width: width(), height });
      });
      observer.observe(element);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [props.x, props.series, props.bars, props.utcDays, height]);
  return (
    <figure class="chart">
      <div class="chart-box" ref={box} role="img" aria-label={props.summary} />
      <details class="chart-table">
        <summary>Show the numbers as a table</summary>
        {props.table}
      </details>
    </figure>
  );
}

function xRange(x: number[], bars: boolean, days: boolean): [number, number] {
  const low = Math.min(...x);
  const high = Math.max(...x);
  if (bars) return [low - 3.5 * 86400, high + 3.5 * 86400];
  if (low === high) return days ? [low - 86400, high + 86400] : [low - 3600, high + 3600];
  return [low, high];
}

function yRange(min: number, max: number, bars: boolean): [number, number] {
  const low = bars ? Math.min(0, min) : min;
  if (low === max) return [Math.max(0, low - 1), max + 1];
  const pad = (max - low) * 0.08;
  return [bars ? low : low >= 0 ? Math.max(0, low - pad) : low - pad, max + pad];
}

/** "YYYY-MM-DD" (UTC midnight) in unix seconds. */
export function dayToSeconds(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

export function instantToSeconds(at: string): number {
  return Date.parse(at) / 1000;
}

/** Horizontal bars with their numbers (audience shares); CSP-safe SVG, no style attributes. */
export function ShareBars(props: { label: string; rows: { name: string; share: number }[] }) {
  const top = Math.max(...props.rows.map((r) => r.share), 0.0001);
  return (
    <ul class="share-bars" aria-label={props.label}>
      {props.rows.map((row) => (
        <li key={row.name}>
          <span class="share-name">{row.name}</span>
          <svg class="share-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
            <rect x="0" y="0" height="10" width={String(Math.max(0.5, (row.share / top) * 100))} />
          </svg>
          <span class="share-value">{(row.share * 100).toFixed(1)} %</span>
        </li>
      ))}
    </ul>
  );
}
