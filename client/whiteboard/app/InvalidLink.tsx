import { newBoardHref } from "./room-link.ts";

/**
 * The page for an address that names no valid board. It says so plainly and
 * offers a new board; it never opens one by itself, so a mangled link cannot
 * look like a board that was wiped.
 */
export function InvalidLink({ address }: { address: string }) {
  return (
    <main className="invalid-link" data-testid="invalid-link">
      <div className="invalid-card panel">
        <span className="brand">edgeroom</span>
        <h1>This link is not a valid board</h1>
        <p>
          <code className="bad-address">{address}</code> does not name a board. Board links look like <code>/r/</code> followed by up
          to 64 letters, digits, <code>-</code> or <code>_</code>. The link may have been cut off or changed when it was copied: ask
          for it again, or start a new board.
        </p>
        <button type="button" className="button primary" onClick={() => location.assign(newBoardHref())}>
          Create a new board
        </button>
      </div>
    </main>
  );
}
