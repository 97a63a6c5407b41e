/**
 * The page renders before the client exists — on a server, or in the first
 * render before `useRoom`'s effect has built the client: connecting, no notes.
 */
import { renderToString } from "react-dom/server";
import { expect, it } from "vitest";
import { App } from "../src/App.tsx";

it("renders under react-dom/server: connecting, nobody else, no notes yet", () => {
  const html = renderToString(<App host="127.0.0.1:8787" room="r1" name="ada" />);
  expect(html).toContain('data-status="connecting"');
  expect(html).toContain("Nobody else is here");
  expect(html).toContain('aria-label="notes"></ul>');
});
