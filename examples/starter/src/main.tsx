/**
 * The page: `/?room=<id>` opens that room (a new one without it), as the
 * name kept in this browser (asked once).
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";

const url = new URL(location.href);
let room = url.searchParams.get("room");
if (!room) {
  room = crypto.randomUUID().slice(0, 8);
  url.searchParams.set("room", room);
  history.replaceState(null, "", url);
}
const name = url.searchParams.get("name") ?? localStorage.getItem("name") ?? prompt("Your name?")?.trim() ?? "";
localStorage.setItem("name", name || "guest");

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App host={location.host} room={room} name={name || "guest"} />
  </StrictMode>,
);
