import type { FinanceFilterOptions, UsageDimension } from "@sluice/db";
import { RANGE_LABELS, RANGE_PRESETS } from "@sluice/ui";
import Link from "next/link";
import { type FinanceParams, NONE_VALUE } from "./params";

const select = "h-9 rounded-md border border-zinc-300 bg-white px-2 text-sm";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the nested child
    <label className="space-y-1">
      <span className="block text-xs text-zinc-500">{label}</span>
      {children}
    </label>
  );
}

/**
 * The filter bar: a plain GET form, so every choice lands in the URL (shareable, bookmarkable, back button works) and
 * the page needs no client state.
 */
export function FilterBar({
  params,
  options,
  action,
  showGrouping = true,
  showDimensions = true,
}: {
  params: FinanceParams;
  options: FinanceFilterOptions;
  action: string;
  showGrouping?: boolean;
  /** team/consumer/provider/route/model filters (the chargeback report is always over every team) */
  showDimensions?: boolean;
}) {
  const sel = (d: UsageDimension) => {
    const v = params.selected[d]?.[0];
    return v === undefined ? "" : v === "" ? NONE_VALUE : v;
  };
  return (
    <form
      method="get"
      action={action}
      className="mb-6 flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4"
      data-testid="finance-filters"
    >
      <Field label="Range">
        <select name="range" defaultValue={params.range.preset ?? ""} className={select}>
          <option value="">Custom (from/to)</option>
          {RANGE_PRESETS.map((r) => (
            <option key={r} value={r}>
              {RANGE_LABELS[r]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="From">
        <input type="date" name="from" defaultValue={params.range.preset ? "" : params.range.fromDay} className={select} />
      </Field>
      <Field label="To">
        <input type="date" name="to" defaultValue={params.range.preset ? "" : params.range.toDay} className={select} />
      </Field>
      {showGrouping ? (
        <>
          <Field label="Bucket">
            <select name="bucket" defaultValue={params.bucket} className={select}>
              <option value="day">Day</option>
              <option value="week">Week</option>
              <option value="month">Month</option>
            </select>
          </Field>
          <Field label="Break down by">
            <select name="group" defaultValue={params.groupBy ?? "none"} className={select}>
              <option value="team">Team</option>
              <option value="consumer">Consumer</option>
              <option value="key">Key</option>
              <option value="model">Model</option>
              <option value="provider">Provider</option>
              <option value="route">Route</option>
              <option value="none">Nothing</option>
            </select>
          </Field>
          <input type="hidden" name="top" value={params.top} />
        </>
      ) : null}
      {showDimensions ? (
        <>
          <Field label="Team">
            <select name="team" defaultValue={sel("team")} className={select}>
              <option value="">All teams</option>
              <option value={NONE_VALUE}>(no team)</option>
              {options.teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Consumer">
            <select name="consumer" defaultValue={sel("consumer")} className={select}>
              <option value="">All consumers</option>
              {options.consumers.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Provider">
            <select name="provider" defaultValue={sel("provider")} className={select}>
              <option value="">All providers</option>
              {options.providers.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Route">
            <select name="route" defaultValue={sel("route")} className={select}>
              <option value="">All routes</option>
              {options.routes.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Model">
            <select name="model" defaultValue={sel("model")} className={select}>
              <option value="">All models</option>
              {options.models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </Field>
        </>
      ) : null}
      {params.selected.key?.length ? <input type="hidden" name="key" value={params.selected.key[0]} /> : null}
      {params.timeZone !== "UTC" ? <input type="hidden" name="tz" value={params.timeZone} /> : null}
      <button type="submit" className="h-9 rounded-md bg-zinc-900 px-3 text-sm font-medium text-white">
        Apply
      </button>
      <Link href={action} className="h-9 px-2 text-sm leading-9 text-zinc-500 hover:text-zinc-800">
        Reset
      </Link>
    </form>
  );
}
