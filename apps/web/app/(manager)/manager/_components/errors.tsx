import { Alert } from "@sluice/ui";

export function FormError({ message }: { message: string | null }) {
  return message ? <Alert tone="danger">{message}</Alert> : null;
}

export function FormSuccess({ message }: { message: string | null }) {
  return message ? <Alert tone="success">{message}</Alert> : null;
}

/** Feedback after a redirect: ?done=created|updated|deleted */
export function DoneNotice({ done, what }: { done?: string; what: string }) {
  const text: Record<string, string> = { created: `${what} created.`, updated: `${what} saved.`, deleted: `${what} deleted.` };
  return done && text[done] ? (
    <Alert tone="success" className="mb-4">
      {text[done]}
    </Alert>
  ) : null;
}

export function formatDate(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const date = typeof d === "string" ? new Date(d) : d;
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
