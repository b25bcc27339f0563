export function Logo() {
  return (
    <span className="flex items-center gap-2">
      <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6" fill="none">
        <rect width="24" height="24" rx="6" className="fill-zinc-900" />
        <path d="M6 9h12M6 12h8M6 15h12" stroke="white" strokeWidth="1.8" strokeLinecap="round" />
      </svg>
      <span className="text-[15px] font-semibold tracking-tight">Sluice</span>
    </span>
  );
}
