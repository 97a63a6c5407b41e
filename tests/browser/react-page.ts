/**
 * A page of `edgeroom/react` for tests/browser/react-hooks.test.ts: the
 * engine's cards room through the package's hooks alone — `useRoom` builds
 * the client, `RoomProvider` hands it down, and each part of the page reads
 * one hook: the connection (`useConnection`, `useSelf`, `usePendingEdits`),
 * the people with their live view (`usePeers`, `useOthers`, `useLive`), the
 * cards (`useRecords`), and buttons that edit through `useMutation`. Written
 * with createElement (no JSX) so the repo's TypeScript configuration checks it
 * as it is; bundled by the test with Vite.
 */
import { createElement as h, type ReactNode, useState } from "react";
import { createRoot } from "react-dom/client";
import { RoomProvider, useConnection, useLive, useMutation, useOthers, usePeers, usePendingEdits, useRecords, useRoom, useRoomClient, useSelf } from "edgeroom/react";
import { type Card, cards } from "../support/cards.ts";

type Live = typeof cards.live;

function Status(): ReactNode {
  const { status } = useConnection();
  const self = useSelf();
  const pending = usePendingEdits();
  return h("p", { "data-testid": "status" }, `${status} · ${self?.name ?? "?"} · ${pending} unsaved`);
}

function People(): ReactNode {
  const peers = usePeers();
  const others = useOthers<Card, "kind", Live>();
  const live = useLive<Card, "kind", Live>();
  return h(
    "section",
    null,
    h("p", { "data-testid": "counts" }, `${peers.size} here · ${live.size} sharing a view`),
    h(
      "ul",
      { "aria-label": "people" },
      [...others.values()].map(({ peer, live: l, left }) => {
        const view = l.get("view");
        return h("li", { key: peer.conn }, `${peer.name}${left ? " (left)" : ""}${view ? ` @${view.zoom}x` : ""}`);
      }),
    ),
  );
}

function Cards(): ReactNode {
  const records = useRecords<Card>();
  const sorted = [...records.values()].sort((a, b) => a.id.localeCompare(b.id));
  return h("ul", { "aria-label": "cards" }, sorted.map((c) => h("li", { key: c.id }, `${c.text}: ${c.votes}`)));
}

function Controls(): ReactNode {
  const mutate = useMutation<Card, "kind", Live>();
  const client = useRoomClient<Card, "kind", Live>();
  const records = useRecords<Card>();
  const [zoom, setZoom] = useState(1);
  const add = () => mutate([{ op: "put", rec: { id: "c1", kind: "note", x: 0, y: 0, color: "#3366ff", votes: 0, text: "hello" } }]);
  const vote = () => {
    const c = records.get("c1");
    if (c) mutate([{ op: "patch", id: "c1", set: { votes: c.votes + 1 } }]);
  };
  const zoomIn = () => {
    client?.setLive("view", { x: 0, y: 0, zoom: zoom * 2 });
    setZoom(zoom * 2);
  };
  return h("div", null, h("button", { onClick: add }, "Add"), h("button", { onClick: vote }, "Vote"), h("button", { onClick: zoomIn }, "Zoom in"));
}

function App({ host, room, name }: { host: string; room: string; name: string }): ReactNode {
  const client = useRoom({ schema: cards, host, room, name, color: "#3366ff", shareTabs: false, httpFallback: false });
  return h(RoomProvider<Card>, { client }, h(Status), h(People), h(Cards), h(Controls));
}

declare global {
  interface Window {
    startRoom(opts: { host: string; room: string; name: string }): void;
  }
}

window.startRoom = (opts) => createRoot(document.getElementById("root")!).render(h(App, opts));
