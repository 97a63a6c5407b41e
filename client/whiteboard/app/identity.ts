/**
 * Who this person is on this device: a display name and colour remembered in
 * localStorage (so they follow the person across rooms and reloads), and a
 * client id per tab in sessionStorage (it survives a reload of the tab, so the
 * room recognises the same client coming back, but two tabs are two clients).
 */
import { newRecordId } from "edgeroom/client";
import { cleanName, MAX_NAME_CHARS } from "edgeroom/schema";

const NAME_KEY = "edgeroom:name";
const COLOR_KEY = "edgeroom:color";
const CLIENT_ID_KEY = "edgeroom:clientId";

/** Cursor and presence colours: distinct on white, readable under white labels. */
export const PEOPLE_COLORS = ["#e03131", "#d6336c", "#9c36b5", "#6741d9", "#3b5bdb", "#1971c2", "#0c8599", "#099268", "#2f9e44", "#e8590c"];

/** The longest name the room accepts. */
export const NAME_MAX = MAX_NAME_CHARS;

function read(storage: Storage | undefined, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null; // storage disabled (privacy mode): fall back to a fresh value
  }
}

function write(storage: Storage | undefined, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Not remembered; the session still works.
  }
}

export function loadName(): string {
  const saved = cleanName(read(globalThis.localStorage, NAME_KEY) ?? "");
  if (saved) return saved;
  const name = `Guest ${Math.floor(100 + Math.random() * 900)}`;
  write(globalThis.localStorage, NAME_KEY, name);
  return name;
}

export function saveName(name: string): void {
  const clean = cleanName(name);
  if (clean) write(globalThis.localStorage, NAME_KEY, clean);
}

export function loadColor(): string {
  const saved = read(globalThis.localStorage, COLOR_KEY);
  if (saved && /^#[0-9a-f]{6}$/i.test(saved)) return saved;
  const color = PEOPLE_COLORS[Math.floor(Math.random() * PEOPLE_COLORS.length)]!;
  write(globalThis.localStorage, COLOR_KEY, color);
  return color;
}

export function loadClientId(): string {
  const saved = read(globalThis.sessionStorage, CLIENT_ID_KEY);
  if (saved && /^[A-Za-z0-9_-]{1,64}$/.test(saved)) return saved;
  const id = newRecordId();
  write(globalThis.sessionStorage, CLIENT_ID_KEY, id);
  return id;
}
