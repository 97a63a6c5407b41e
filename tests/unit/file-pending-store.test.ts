/**
 * Node clients keep exactly-once across a crash (issue 20 item 4): a client
 * process editing into a FilePendingStore is SIGKILLed mid-stream (its writes
 * still going); the file it leaves holds every edit it had reported saved, in
 * order, whole. A client restarted on that file sends them and the room
 * applies each once; restarted again on the same edits (a crash before the
 * acks were written down) it resends them all and nothing doubles.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RoomClient } from "edgeroom/client";
import { FilePendingStore } from "edgeroom/node";
import { type Card, CardsRoomHost, cards } from "../support/cards-room.ts";
import { PENDING_CHILD } from "../support/pending-child.ts";
import { roomWire } from "../support/room-wire.ts";
import { waitFor } from "../support/wait.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "edgeroom-pending-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the editing child until it reported `atLeast` saved edits, then SIGKILL it; the last index it reported. */
async function crashAfter(file: string, atLeast: number): Promise<number> {
  const child = spawn(process.execPath, ["--conditions=edgeroom-source", "--experimental-transform-types", "--disable-warning=ExperimentalWarning", PENDING_CHILD, file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<NodeJS.Signals | number | null>((r) => child.on("exit", (code, signal) => r(signal ?? code)));
  const last = await new Promise<number>((ok, fail) => {
    child.stdout.on("data", (d) => {
      out += d;
      const saved = [...out.matchAll(/saved (\d+)\n/g)].map((m) => Number(m[1]));
      if (saved.length > atLeast) {
        child.kill("SIGKILL"); // mid-stream: the next write is already under way
        ok(saved.at(-1)!);
      }
    });
    void exited.then((how) => fail(new Error(`child ended (${how}) before ${atLeast} edits: ${err}`)));
  });
  expect(await exited).toBe("SIGKILL");
  // What it printed after the kill decision may be one more; count what it reported by the end.
  return Math.max(last, ...[...out.matchAll(/saved (\d+)\n/g)].map((m) => Number(m[1])));
}

function client(host: CardsRoomHost, file: string): RoomClient<Card> {
  return new RoomClient({ schema: cards, room: host.roomId, clientId: "restarted", name: "restarted", color: "#3366ff", pendingStore: new FilePendingStore(file), transport: roomWire(host) });
}

describe("FilePendingStore across a SIGKILL", () => {
  it("keeps every saved edit whole; a restart sends them once, a second restart resends them and nothing doubles", async () => {
    const file = join(dir, "crash-room.json");
    const last = await crashAfter(file, 30);
    const left = (await new FilePendingStore(file).load()).map((m) => m.mid);
    expect(left.length).toBeGreaterThanOrEqual(last + 1); // every edit reported saved (and perhaps the one being written)
    expect(left).toEqual(left.map((_, i) => `m${i}`)); // in order, none lost or torn
    const copy = join(dir, "copy.json");
    copyFileSync(file, copy); // the same edits, as a crash before any ack was written down would leave them

    const host = new CardsRoomHost("crash-room");
    const first = client(host, file);
    await waitFor(() => first.connection.status === "live" && first.pendingCount === 0, 20_000, "the restarted client's edits acknowledged");
    const seq = first.seq;
    expect(seq).toBe(left.length); // one mutation each, applied once
    expect(first.records().size).toBe(left.length);
    await first.saved();
    first.close();
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual([]); // acknowledged: nothing left to resend

    const second = client(host, copy);
    await waitFor(() => second.connection.status === "live" && second.pendingCount === 0, 20_000, "the resent edits answered");
    expect(second.seq).toBe(seq); // every one a duplicate: nothing applied twice
    expect(second.records().size).toBe(left.length);
    second.close();
  }, 60_000);

  it("refuses a file it did not write rather than overwrite it", async () => {
    const file = join(dir, "not-ours.json");
    writeFileSync(file, "my notes");
    await expect(new FilePendingStore(file).load()).rejects.toThrow(/not a pending-edits file/);
    expect(readFileSync(file, "utf8")).toBe("my notes");
  });
});
