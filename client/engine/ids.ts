/**
 * Ids the client chooses: record ids and room ids. Both must match the room's
 * ID_PATTERN / ROOM_ID_PATTERN (A-Z a-z 0-9 _ -), and be unguessable enough that
 * two people never collide and a room link cannot be guessed.
 */
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export function randomString(length: number): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  // 256 % 36 leaves a tiny bias toward the first characters; irrelevant for ids.
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

/** A record id: 16 base-36 characters (≈ 82 bits), so concurrent creators never collide. */
export function newRecordId(): string {
  return randomString(16);
}

/** A mutation id or a client id: 12 characters (≈ 62 bits); unique per room is enough. */
export function newShortId(): string {
  return randomString(12);
}

/** A room id for a fresh board: 12 characters (≈ 62 bits) — short enough to read
 * out loud, long enough that nobody stumbles into someone else's room. */
export function newRoomId(): string {
  return randomString(12);
}
