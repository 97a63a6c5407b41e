/**
 * The notes of one room, the people in it, and who is typing — all from
 * `edgeroom/react`: `useRoom` owns the client, `RoomProvider` hands it to the
 * hooks below, which re-render when what they show changes.
 */
import { type FormEvent, useState } from "react";
import { newRecordId } from "edgeroom/client";
import { RoomProvider, useConnection, useMutation, useOthers, useRecords, useRoom, useRoomClient } from "edgeroom/react";
import { type Note, notes } from "../schema.ts";

/** A token for `room` from the Worker's /login, asked before every (re)connect. */
async function login(name: string, room: string): Promise<string> {
  const res = await fetch("/login", { method: "POST", body: JSON.stringify({ name, room }) });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** `host`: the Worker's (`location.host` in the page; a prop, so a server or a test can render this too). */
export function App({ host, room, name }: { host: string; room: string; name: string }) {
  const client = useRoom({ schema: notes, host, room, name, color: "#3366ff", getToken: () => login(name, room) });
  return (
    <RoomProvider client={client}>
      <main>
        <h1>Notes · {room}</h1>
        <Status />
        <People />
        <NewNote author={name} />
        <Notes me={name} />
      </main>
    </RoomProvider>
  );
}

function Status() {
  const { status } = useConnection();
  return <p data-status={status}>{status}</p>;
}

function People() {
  const others = useOthers<Note, "author", typeof notes.live>();
  const people = [...others.values()].filter((o) => !o.left);
  if (people.length === 0) return <p>Nobody else is here. Share this page's address.</p>;
  return (
    <ul aria-label="people">
      {people.map(({ peer, live }) => (
        <li key={peer.conn}>
          {peer.name}
          {live.get("typing") ? " is typing…" : ""}
        </li>
      ))}
    </ul>
  );
}

function NewNote({ author }: { author: string }) {
  const [text, setText] = useState("");
  const client = useRoomClient<Note, "author", typeof notes.live>();
  const mutate = useMutation<Note, "author">();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    mutate([{ op: "put", rec: { id: newRecordId(), text: text.trim(), author, at: Date.now() } }]);
    setText("");
    client?.setLive("typing", false);
  };
  return (
    <form onSubmit={submit}>
      <input
        aria-label="new note"
        value={text}
        maxLength={280}
        onChange={(e) => {
          setText(e.target.value);
          client?.setLive("typing", e.target.value !== "");
        }}
      />
      <button type="submit">Add</button>
    </form>
  );
}

function Notes({ me }: { me: string }) {
  const records = useRecords<Note>();
  const mutate = useMutation<Note, "author">();
  const sorted = [...records.values()].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  return (
    <ul aria-label="notes">
      {sorted.map((n) => (
        <li key={n.id}>
          {n.text} <small>— {n.author}</small>
          {n.author === me && (
            <button type="button" onClick={() => mutate([{ op: "del", id: n.id }])}>
              Delete
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
