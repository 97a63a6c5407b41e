/**
 * `edgeroom/react` renders anywhere (issue 20 item 3): every hook under
 * `react-dom/server` — with no client (the first render, before `useRoom`'s
 * effect) and with a synced client given through `RoomProvider` — and the
 * people hooks: someone else with their live state, marked `left` the moment
 * they leave, their live state gone with them. On the engine's cards schema,
 * over the real room core in memory.
 */
import { createElement, type ReactNode } from "react";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it } from "vitest";
import { RoomClient } from "edgeroom/client";
import {
  othersSource,
  peopleSource,
  RoomProvider,
  useConnection,
  useCursors,
  useLive,
  useMutation,
  useOthers,
  usePeers,
  usePendingEdits,
  roomStatsSource,
  useRecords,
  useRoomStats,
  useSelf,
} from "edgeroom/react";
import { type Card, CardsRoomHost, card, cards } from "../support/cards-room.ts";
import { roomWire } from "../support/room-wire.ts";
import { waitFor } from "../support/wait.ts";

const clients: RoomClient<Card>[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

async function person(host: CardsRoomHost, name: string) {
  const c = new RoomClient({ schema: cards, room: host.roomId, clientId: name, name, color: "#3366ff", transport: roomWire(host) });
  clients.push(c);
  await waitFor(() => c.connection.status === "live", 10_000, `${name} live`);
  return c;
}

let mutateFromRender: ReturnType<typeof useMutation<Card>> | null = null;

/** A page reading every hook from the nearest RoomProvider. */
function Table(): ReactNode {
  const records = useRecords<Card>();
  const peers = usePeers();
  const self = useSelf();
  const pending = usePendingEdits();
  const { status } = useConnection();
  const cursors = useCursors();
  const live = useLive<Card, "kind", typeof cards.live>();
  const others = useOthers<Card, "kind", typeof cards.live>();
  mutateFromRender = useMutation<Card>();
  const people = [...others.values()].map(({ peer, live: l, left }) => {
    const view = l.get("view");
    return `${peer.name}${left ? " (left)" : ""}${view ? ` @${view.x},${view.y}x${view.zoom}` : ""}`;
  });
  return createElement(
    "main",
    { "data-status": status },
    createElement("h1", null, `${self?.name ?? "nobody"} · ${peers.size} here · ${pending} unsaved · ${cursors.size} cursors · ${live.size} live`),
    createElement("ul", null, [...records.values()].map((r) => createElement("li", { key: r.id }, `${r.id}:${r.votes}`))),
    createElement("p", null, people.join("; ")),
  );
}

const page = (client: RoomClient<Card> | null) => renderToString(createElement(RoomProvider<Card>, { client }, createElement(Table)));

/** The whiteboard's ?debug figures, from edgeroom/react. */
function Stats(): ReactNode {
  const s = useRoomStats();
  return createElement("p", null, `seq ${s.seq} · ${s.records} records · ${s.pendingEdits} unsaved (${s.pendingMutations} mutations)`);
}

describe("useRoomStats: a client's seq, pending edits and record count", () => {
  it("renders on a server with no client (zeros) and with a synced one; its snapshot changes only when a figure does", async () => {
    expect(renderToString(createElement(Stats))).toContain("seq 0 · 0 records · 0 unsaved (0 mutations)");
    const host = new CardsRoomHost();
    const ada = await person(host, "ada");
    const source = roomStatsSource(ada);
    const before = source.getSnapshot();
    expect(source.getSnapshot()).toBe(before); // the same identity while nothing moved
    ada.mutate([{ op: "put", rec: card("a") }]);
    expect(source.getSnapshot()).toMatchObject({ records: 1, pendingEdits: 1, pendingMutations: 1 });
    await waitFor(() => ada.pendingCount === 0, 10_000, "acknowledged");
    const html = renderToString(createElement(RoomProvider<Card>, { client: ada }, createElement(Stats)));
    expect(html).toContain(`seq ${ada.seq} · 1 records · 0 unsaved (0 mutations)`);
    expect(ada.seq).toBeGreaterThan(0);
  });
});

describe("edgeroom/react under react-dom/server", () => {
  it("renders every hook with no client: an empty room, connecting", () => {
    const html = renderToString(createElement(Table)); // no provider at all
    expect(html).toContain('data-status="connecting"');
    expect(html).toContain("nobody · 0 here · 0 unsaved · 0 cursors · 0 live");
    expect(page(null)).toContain("nobody · 0 here");
    expect(mutateFromRender?.([{ op: "put", rec: card("x") }])).toBeNull(); // nothing to apply it to
  });

  it("renders a synced room from a RoomProvider: records, me, the others with their live state; one who leaves is marked at once and their live state is gone", async () => {
    const host = new CardsRoomHost();
    const ada = await person(host, "ada");
    const bo = await person(host, "bo");
    await waitFor(() => ada.peers().size === 1, 10_000, "ada sees bo");
    const boConn = bo.self!.conn;
    const peopleBefore = peopleSource(ada).getSnapshot();
    const othersBefore = othersSource(ada).getSnapshot();
    bo.setLive("view", { x: 3, y: 4, zoom: 2 });
    await waitFor(() => ada.live().get(boConn)?.get("view") !== undefined, 10_000, "bo's view reaches ada");
    // A list of people does not re-render for someone's live state; useOthers' value carries it.
    expect(peopleSource(ada).getSnapshot()).toBe(peopleBefore);
    expect(othersSource(ada).getSnapshot()).not.toBe(othersBefore);

    // The mutation helper from a render, called from "an event handler".
    page(ada);
    expect(mutateFromRender!([{ op: "put", rec: { ...card("a"), votes: 7 } }])).toEqual(expect.any(String));
    let html = page(ada);
    expect(html).toContain('data-status="live"');
    expect(html).toContain("ada · 1 here · 1 unsaved · 0 cursors · 1 live");
    expect(html).toContain("<li>a:7</li>");
    expect(html).toContain("bo @3,4x2");
    const others = othersSource(ada);
    expect(others.getSnapshot()).toBe(others.getSnapshot()); // same identity while nothing changed

    bo.close();
    await waitFor(() => !ada.present(boConn), 10_000, "ada hears bo leave");
    html = page(ada);
    expect(peopleSource(ada).getSnapshot().get(boConn)?.left).toBe(true);
    expect(html).toContain("bo (left)"); // still listed a moment (no flicker on a reload)…
    expect(html).not.toContain("@3,4"); // …but marked, and their live state is gone
    expect(html).toContain("0 live");
  });
});
