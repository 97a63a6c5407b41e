/**
 * When an edit was made, as opposed to when it arrived (docs/PROTOCOL.md §7
 * `mutate`, §15): an edit made offline reaches the room minutes or days
 * later, and history should say when the person made it. The client sends
 * how long before sending it the edit was made (`age`, ms, measured on its
 * own clock) rather than a wall-clock time, so a device whose clock is wrong
 * still gives the right time; the room subtracts it from the arrival time,
 * clamped to MUTATION_AGE_MAX_MS, so no client can backdate an edit further
 * (and none can date it after its arrival). The change's order — its seq —
 * is the room's, whatever the age says. Kept out of protocol.ts (at its
 * length cap) and used by it.
 */
import { z } from "zod";
import { MUTATION_AGE_MAX_MS } from "./limits.ts";

/** `mutate`'s optional `age`: ms between the edit and this send of it (≥ 0).
 * Absent or 0: made as it was sent (older clients never send it). */
export const MutationAge = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The field a change summary gets when its edit was made before it arrived. */
export const MadeAt = {
  /** Wall-clock ms when the edit was made, when that was before `at` (an edit
   * made offline): at least `at` − MUTATION_AGE_MAX_MS. Absent: made at `at`. */
  made: z.number().optional(),
};

/** When an edit that arrived at `arrival` (ms) with `age` was made, or
 * undefined when it was made as it arrived. Clamped to MUTATION_AGE_MAX_MS. */
export function madeAt(arrival: number, age: number | undefined): number | undefined {
  if (age === undefined || !(age > 0)) return undefined;
  return arrival - Math.min(age, MUTATION_AGE_MAX_MS);
}
