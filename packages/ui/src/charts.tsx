"use client";

// Charts for dashboards (recharts), imported from "@sluice/ui/charts" by client or server components. Props are plain
// data (serialisable from a server component): values are numbers for plotting only; the tables beside each chart
// show the exact decimal strings.

import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export const CHART_COLORS = [
  "#18181b",
  "#0ea5e9",
  "#f59e0b",
  "#10b981",
  "#8b5cf6",
  "#ef4444",
  "#ec4899",
  "#14b8a6",
  "#64748b",
  "#a3a3a3",
];

export type ChartUnit = "money" | "count" | "tokens";

export interface ChartSeries {
  /** key of the value in each datum */
  key: string;
  name: string;
  color?: string;
}

export type ChartDatum = { label: string } & Record<string, number | string>;

function tick(unit: ChartUnit) {
  return (v: number) => {
    if (unit === "money") {
      if (v === 0) return "0";
      return Math.abs(v) < 0.01 ? v.toPrecision(2) : `${v.toLocaleString("en-US", { maximumFractionDigits: 2 })}`;
    }
    if (Math.abs(v) >= 1_000_000) return `${(v / 1_000_000).toLocaleString("en-US", { maximumFractionDigits: 1 })}M`;
    if (Math.abs(v) >= 1_000) return `${(v / 1_000).toLocaleString("en-US", { maximumFractionDigits: 1 })}k`;
    return String(v);
  };
}

function tooltipValue(unit: ChartUnit, currency: string) {
  return (v: unknown) => {
    const n = typeof v === "number" ? v : Number(v);
    if (unit === "money") return `${n.toLocaleString("en-US", { maximumFractionDigits: 6 })} ${currency}`;
    return n.toLocaleString("en-US");
  };
}

export interface TimeSeriesChartProps {
  data: ChartDatum[];
  series: ChartSeries[];
  kind?: "bar" | "area" | "line";
  stacked?: boolean;
  unit?: ChartUnit;
  currency?: string;
  height?: number;
  /** accessible description of what the chart shows */
  ariaLabel: string;
}

/** Values over time (one series, or stacked series per group). */
export function TimeSeriesChart({
  data,
  series,
  kind = "bar",
  stacked = true,
  unit = "money",
  currency = "USD",
  height = 260,
  ariaLabel,
}: TimeSeriesChartProps) {
  const common = {
    data,
    margin: { top: 8, right: 8, bottom: 0, left: 0 },
  };
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#e4e4e7" vertical={false} />
      <XAxis dataKey="label" tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} axisLine={{ stroke: "#d4d4d8" }} />
      <YAxis tickFormatter={tick(unit)} tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} axisLine={false} width={72} />
      <Tooltip formatter={tooltipValue(unit, currency)} contentStyle={{ fontSize: 12, borderRadius: 6 }} />
      {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
    </>
  );
  const color = (s: ChartSeries, i: number) => s.color ?? CHART_COLORS[i % CHART_COLORS.length];
  return (
    <div role="img" aria-label={ariaLabel} style={{ width: "100%", height }}>
      <ResponsiveContainer width="100%" height="100%">
        {kind === "line" ? (
          <LineChart {...common}>
            {axes}
            {series.map((s, i) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.name}
                stroke={color(s, i)}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        ) : kind === "area" ? (
          <AreaChart {...common}>
            {axes}
            {series.map((s, i) => (
              <Area
                key={s.key}
                dataKey={s.key}
                name={s.name}
                stackId={stacked ? "a" : undefined}
                stroke={color(s, i)}
                fill={color(s, i)}
                fillOpacity={0.25}
                isAnimationActive={false}
              />
            ))}
          </AreaChart>
        ) : (
          <BarChart {...common}>
            {axes}
            {series.map((s, i) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.name}
                stackId={stacked ? "a" : undefined}
                fill={color(s, i)}
                maxBarSize={48}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}

export interface RankedBarChartProps {
  data: Array<{ label: string; value: number }>;
  unit?: ChartUnit;
  currency?: string;
  ariaLabel: string;
  height?: number;
}

/** Horizontal bars, biggest first (top spenders). */
export function RankedBarChart({ data, unit = "money", currency = "USD", ariaLabel, height }: RankedBarChartProps) {
  const h = height ?? Math.max(120, data.length * 32 + 24);
  return (
    <div role="img" aria-label={ariaLabel} style={{ width: "100%", height: h }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e4e4e7" horizontal={false} />
          <XAxis type="number" tickFormatter={tick(unit)} tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} />
          <YAxis
            type="category"
            dataKey="label"
            width={120}
            tick={{ fontSize: 11, fill: "#3f3f46" }}
            tickLine={false}
            axisLine={false}
          />
          <Tooltip formatter={tooltipValue(unit, currency)} contentStyle={{ fontSize: 12, borderRadius: 6 }} />
          <Bar dataKey="value" name="Spend" fill={CHART_COLORS[0]} maxBarSize={20} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export interface BurnDownChartProps {
  /** one point per day: cumulative actual spend (until today) and the forecast (from today on) */
  data: Array<{ label: string; actual?: number | null; forecast?: number | null }>;
  limit: number;
  unit?: ChartUnit;
  currency?: string;
  ariaLabel: string;
  height?: number;
}

/** Cumulative spend against a budget limit, with the forecast to the end of the period dashed. */
export function BurnDownChart({ data, limit, unit = "money", currency = "USD", ariaLabel, height = 200 }: BurnDownChartProps) {
  return (
    <div role="img" aria-label={ariaLabel} style={{ width: "100%", height }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e4e4e7" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: "#71717a" }} tickLine={false} />
          <YAxis
            tickFormatter={tick(unit)}
            tick={{ fontSize: 11, fill: "#71717a" }}
            tickLine={false}
            axisLine={false}
            width={72}
          />
          <Tooltip formatter={tooltipValue(unit, currency)} contentStyle={{ fontSize: 12, borderRadius: 6 }} />
          <ReferenceLine
            y={limit}
            stroke="#ef4444"
            strokeDasharray="4 4"
            label={{ value: "limit", fontSize: 11, fill: "#ef4444" }}
          />
          <Line dataKey="actual" name="Spent" stroke={CHART_COLORS[0]} strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
          <Line
            dataKey="forecast"
            name="Forecast"
            stroke={CHART_COLORS[1]}
            strokeWidth={2}
            strokeDasharray="5 4"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
