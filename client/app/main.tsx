import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { type ConnectionState, RoomClient } from "../room-client.ts";

/** Minimal page: joins the room named in ?room= (or "lobby") and shows the connection state. */
function App() {
  const room = new URLSearchParams(location.search).get("room") ?? "lobby";
  const [state, setState] = useState<ConnectionState | null>(null);
  const [seq, setSeq] = useState(0);
  useEffect(() => {
    const client = new RoomClient({ host: location.host, room, name: "guest", color: "#3366ff", protocol: location.protocol === "https:" ? "wss" : "ws" });
    const off = client.on("change", () => {
      setState(client.connection);
      setSeq(client.seq);
    });
    return () => {
      off();
      client.close();
    };
  }, [room]);
  return (
    <main>
      <h1>edgeroom</h1>
      <p>
        room <code>{room}</code>: <output data-testid="status">{state?.status ?? "connecting"}</output> (seq {seq})
      </p>
    </main>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
