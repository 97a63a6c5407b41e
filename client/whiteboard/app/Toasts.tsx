/** Short notices at the bottom of the board: rolled-back edits, copied links. */
export interface Toast {
  id: number;
  text: string;
  tone: "info" | "warning";
}

/** How long a notice stays (ms): long enough to read two lines. */
export const TOAST_MS = 6_000;

export function Toasts({ toasts, onDismiss }: { toasts: readonly Toast[]; onDismiss: (id: number) => void }) {
  // Deliberately not an aria-live region: only connection changes are announced.
  return (
    <div className="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} data-testid="toast">
          <span>{t.text}</span>
          <button type="button" aria-label="Dismiss" onClick={() => onDismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
