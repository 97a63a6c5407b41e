/**
 * The whiteboard's people list says how many watch an audience room (issue
 * 18 item 3): "1 person here · 1,001 watching" — watchers are counted, not
 * listed — and says nothing of watching in a room nobody watches. Rendered
 * under react-dom/server (the panel's effects need a window; its text does
 * not), with a RoomClient in an in-memory audience room: the room core and
 * real relays (tests/support/audience-room.ts).
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it } from "vitest";
import type { RoomClient } from "edgeroom/client";
import type { TransportFactory } from "../../client/engine/connection.ts";
import { RoomClient as Client } from "../../client/engine/room-client.ts";
import { TestSocket } from "../../party/engine/testing/memory-host.ts";
import { RELAY_COUNTS_MS } from "../../party/shared/limits.ts";
import { PeoplePanel } from "../../client/whiteboard/app/PeoplePanel.tsx";
import { AudienceRoom } from "../support/audience-room.ts";
import { type Card, cards } from "../support/cards.ts";

const clients: Client<Card>[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

/** A RoomClient whose socket the room routes (the first is one of the room's own members). */
function person(a: AudienceRoom, name: string): Client<Card> {
  const transport: TransportFactory = (handlers) => {
    class Wire extends TestSocket<Card> {
      override send(frame: string): void {
        super.send(frame);
        queueMicrotask(() => handlers.message(frame));
      }
    }
    const s = a.open("editor", undefined, new Wire());
    queueMicrotask(() => handlers.open());
    return { isOpen: true, send: (frame: string) => a.send(s, frame), reconnect: () => {}, close: () => {} };
  };
  const c = new Client({ schema: cards, room: a.roomId, name, color: "#112233", transport });
  clients.push(c);
  return c;
}

/** The people list's heading, as text. */
function heading(client: Client<Card>): string {
  const html = renderToString(createElement(PeoplePanel, { client: client as unknown as RoomClient, initialName: "Ada", color: "#112233", open: true, onClose: () => {} }));
  return /<h2>([\s\S]*?)<\/h2>/.exec(html)![1]!.replace(/<[^>]+>/g, "");
}

describe("the people list of an audience room", () => {
  it("counts the watchers beside the people, never listing them; says nothing of watching when nobody watches", async () => {
    const a = new AudienceRoom({ directMax: 1, relayMax: 600, relaysMax: 2 });
    const ada = person(a, "Ada");
    await a.settle();
    expect(a.where.get([...a.where.keys()][0]!)).toBe(-1); // the room's own member
    expect(heading(ada)).toBe("1 person here");

    // A lecture hall fills: 1,001 viewers, all on relays.
    for (let i = 0; i < 1001; i++) a.join(`v${i}`);
    await a.advance(RELAY_COUNTS_MS * 2, 100);
    expect(heading(ada)).toBe("1 person here · 1,001 watching");
    const html = renderToString(createElement(PeoplePanel, { client: ada as unknown as RoomClient, initialName: "Ada", color: "#112233", open: true, onClose: () => {} }));
    expect(html.match(/data-testid="peer"/g) ?? []).toEqual([]);
  });
});
