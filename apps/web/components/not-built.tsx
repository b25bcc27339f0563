import { EmptyState, PageHeader } from "@sluice/ui";

/** An honest placeholder for a section that does not exist yet. */
export function NotBuilt({ title, summary, planned }: { title: string; summary: string; planned: string[] }) {
  return (
    <>
      <PageHeader title={title} description={summary} />
      <EmptyState
        title="This section is not built yet"
        description="Nothing here works yet; the list below is what is planned, not what exists."
      >
        <ul className="list-disc space-y-1 pl-5 text-sm text-zinc-600">
          {planned.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </EmptyState>
    </>
  );
}
