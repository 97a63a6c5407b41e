/**
 * Entry point: resolve the room from the address (making a fresh one for `/`,
 * refusing a mangled link), register the service worker that lets the board
 * open offline, render the app.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { InvalidLink } from "./InvalidLink.tsx";
import { ensureRoomInAddressBar } from "./room-link.ts";
import "./styles.css";
import { applyTheme, currentTheme } from "../theme/theme-choice.ts";
import { loadBoardFonts } from "../canvas/fonts.ts";

// Before the first render, so neither the page nor the first canvas frame flashes light.
applyTheme(currentTheme());
const room = ensureRoomInAddressBar();
const params = new URLSearchParams(location.search);

if ("serviceWorker" in navigator) {
  // Caches the app shell so a reload while offline still opens the board (and
  // its pending edits from IndexedDB). Never in the way of the rooms themselves.
  navigator.serviceWorker.register("/sw.js").catch((e: unknown) => console.warn("service worker not registered", e));
  // What this page loaded before the worker controlled it: the worker keeps
  // it where the build's precache does not cover it (`npm run dev`'s
  // unbundled modules; sw.ts ignores this otherwise).
  void navigator.serviceWorker.ready.then((reg) => {
    const urls = performance.getEntriesByType("resource").map((e) => e.name);
    reg.active?.postMessage({ type: "keep", urls });
  });
}

/** The address as the person typed or pasted it (escapes decoded where they decode). */
function readableAddress(): string {
  const raw = location.pathname + location.search;
  try {
    return decodeURI(raw);
  } catch {
    return raw;
  }
}

if (room === null) document.title = "Not a valid board link — edgeroom";

// The hand-drawn face first (a data: URL, no fetch): text is measured with the face it is drawn in.
void loadBoardFonts().then(() => createRoot(document.getElementById("root")!).render(
  <StrictMode>
    {room === null ? (
      <InvalidLink address={readableAddress()} />
    ) : (
      <App room={room} debug={params.has("debug")} testHooks={params.has("test")} />
    )}
  </StrictMode>,
));
