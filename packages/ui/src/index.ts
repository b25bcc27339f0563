// Shared UI components for apps/web: plain React + Tailwind classes (apps/web's Tailwind scans this folder).
// No hooks and no "use client" here, so every component renders in server components too.

export { Badge, type BadgeProps, type BadgeTone } from "./badge.tsx";
export { Button, type ButtonProps, type ButtonSize, type ButtonVariant, buttonClasses } from "./button.tsx";
export { Card, CardContent, CardDescription, CardHeader, CardTitle, Stat } from "./card.tsx";
export { cn } from "./cn.ts";
export {
  dayIn,
  dayStart,
  type ParsedRange,
  parseRange,
  RANGE_LABELS,
  RANGE_PRESETS,
  type RangePreset,
} from "./date-range.ts";
export { EmptyState, type EmptyStateProps } from "./empty-state.tsx";
export {
  Alert,
  type AlertTone,
  Field,
  type FieldProps,
  Select,
  type SelectProps,
  Textarea,
  type TextareaProps,
} from "./field.tsx";
export { formatCount, formatDecimal, formatMoney, roundDecimal, sumDecimals } from "./format.ts";
export { Input, type InputProps, Label } from "./input.tsx";
export { Nav, type NavLink, type NavProps } from "./nav.tsx";
export { PageHeader, type PageHeaderProps } from "./page-header.tsx";
export { Pagination, type PaginationProps, SortHeader, type SortHeaderProps, SubNav, type SubNavProps } from "./pagination.tsx";
export {
  bucketLabel,
  type ChartData,
  groupName,
  metricValue,
  type SeriesBucket,
  type SeriesMetric,
  type SeriesPointLike,
  seriesToChartData,
} from "./series.ts";
export { Table, TBody, TD, TH, THead, TR } from "./table.tsx";
