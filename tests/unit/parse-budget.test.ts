/**
 * Parse work per connection is bounded before parsing (issue 23: a flood of
 * padded but valid frames made the room parse ~600 MiB for one connection
 * before the kick — every frame a budget dropped was parsed first). A frame's
 * length is charged to PARSE_BYTES_PER_SEC / PARSE_BYTES_BURST before it is
 * parsed; past it, frames are dropped unparsed and count toward the kick.
 * Work is counted (characters handed to the parser), never timed.
 */
import { describe, expect, it } from "vitest";
import { MemoryRoomHost } from "../../party/engine/testing/memory-host.ts";
import { MAX_MESSAGE_BYTES, MUTATION_BURST, PARSE_BYTES_BURST } from "../../party/shared/limits.ts";
import { CloseCode, ErrorCode } from "../../party/shared/protocol.ts";
import { type Card, card, cards } from "../support/cards.ts";

/** The cards schema, with a parser that counts what it is handed. */
function counted() {
  const seen = { chars: 0 };
  const protocol = cards.protocol;
  const schema = {
    ...cards,
    protocol: {
      ...protocol,
      parseClientMessage: (data: string | ArrayBuffer | ArrayBufferView, max: number) => {
        seen.chars += typeof data === "string" ? data.length : data.byteLength;
        return protocol.parseClientMessage(data, max);
      },
    },
  };
  return { h: new MemoryRoomHost<Card>(schema), seen };
}

/** A valid mutate padded with whitespace to just under MAX_MESSAGE_BYTES. */
function padded(mid: string, ops: unknown[]): string {
  const body = JSON.stringify({ type: "mutate", mid, ops });
  return `${body.slice(0, -1)}${" ".repeat(MAX_MESSAGE_BYTES - body.length - 16)}}`;
}

describe("parse work per connection is bounded before parsing", () => {
  it("a flood of padded valid frames is parsed up to PARSE_BYTES_BURST, then dropped unparsed and kicked", async () => {
    const { h, seen } = counted();
    const mallory = await h.join("mallory");
    const bystander = await h.join("bystander");
    const frame = padded("p1", [{ op: "del", id: "missing" }]);
    const before = seen.chars;
    for (let i = 0; i < 3_000; i++) void h.send(mallory, frame);
    const b1 = { type: "mutate", mid: "b1", ops: [{ op: "put", rec: card("s1") }] };
    await h.send(bystander, b1);
    const mallorys = seen.chars - before - JSON.stringify(b1).length;
    // Before: ~2,060 frames of 256 KiB parsed (≈ 515 MiB) before the kick.
    expect(mallorys).toBeLessThanOrEqual(PARSE_BYTES_BURST);
    expect(mallory.closed?.code).toBe(CloseCode.POLICY_VIOLATION);
    expect(h.logs.find((l) => l.event === "kicked")?.detail).toBe("parse flood");
    expect(bystander.last("ack")?.mid).toBe("b1");
  });

  it("a client within its mutation budget never meets it: a burst of the largest mutations is all answered", async () => {
    const { h } = counted();
    const ada = await h.join("ada");
    for (let i = 0; i < MUTATION_BURST; i++) await h.send(ada, padded(`m${i}`, [{ op: "put", rec: card(`r${i}`) }]));
    expect(ada.of("ack")).toHaveLength(MUTATION_BURST);
    expect(ada.of("error").filter((e) => e.code === ErrorCode.RATE_LIMITED)).toHaveLength(0);
    expect(ada.closed).toBeNull();
  });
});
