/**
 * PartyKit's "main" party. PartyKit routes `/party/<room>` to it, a second
 * namespace beside `/parties/whiteboard/<room>` — with the room code as main,
 * the same room id would name two different rooms. So main serves nothing:
 * every socket and request to it is refused at the edge, before any room is
 * created. Rooms live only under `/parties/whiteboard/`.
 */
import type * as Party from "partykit/server";
import { ErrorCode } from "../shared/protocol.ts";

const MESSAGE = "rooms are at /parties/whiteboard/<room>";

export default class NoMainParty implements Party.Server {
  readonly room: Party.Room;
  constructor(room: Party.Room) {
    this.room = room;
  }
  static onBeforeConnect(): Response {
    return Response.json({ code: ErrorCode.INVALID_ROOM, message: MESSAGE }, { status: 404 });
  }
  static onBeforeRequest(): Response {
    return Response.json({ code: ErrorCode.INVALID_ROOM, message: MESSAGE }, { status: 404 });
  }
  /** Unreachable (the edge refuses first); here so the class is a Party.Server. */
  onRequest(): Response {
    return Response.json({ code: ErrorCode.INVALID_ROOM, message: MESSAGE }, { status: 404 });
  }
}

NoMainParty satisfies Party.Worker;
