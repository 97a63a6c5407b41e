/**
 * The name a person sees for themselves is the name everyone else sees: the
 * client library cleans a display name exactly as the room's `Name` schema
 * does, so the room never refuses it and publishes it unchanged.
 */
import { describe, expect, it } from "vitest";
import { MAX_NAME_CHARS } from "../../party/shared/limits.ts";
import { cleanName, Name } from "../../party/shared/protocol.ts";

const cases: [label: string, raw: string, shown: string | null][] = [
  ["plain", "Ada", "Ada"],
  ["padded", "  Ada  ", "Ada"],
  ["a zero-width space inside", "A\u200Bda", "Ada"],
  ["a bidi override (reverses the text after it)", "\u202EAda", "Ada"],
  ["a soft hyphen and a joiner", "A\u00ADd\u200Da", "Ada"],
  ["control characters", "Ada\u0007\n", "Ada"],
  ["only invisible characters", "\u200B\u200E\u202E", null],
  ["blank", "   ", null],
  ["too long", "x".repeat(100), "x".repeat(MAX_NAME_CHARS)],
  ["too long, astral characters kept whole", "😀".repeat(30), "😀".repeat(MAX_NAME_CHARS / 2)],
  ["cut just before a space", `${"y".repeat(MAX_NAME_CHARS - 1)} z`, "y".repeat(MAX_NAME_CHARS - 1)],
];

describe("display names", () => {
  it.each(cases)("%s: the client shows what the room will publish", (_label, raw, shown) => {
    const name = cleanName(raw);
    expect(name).toBe(shown);
    if (name !== null) expect(Name.safeParse(name)).toEqual({ success: true, data: name });
  });
});
