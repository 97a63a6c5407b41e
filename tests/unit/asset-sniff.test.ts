/**
 * An asset's type is read from its first bytes (party/shared/assets.ts), never
 * from a name or a declared type: a table of files as people make them and
 * as an attacker would disguise them.
 */
import { describe, expect, it } from "vitest";
import { assetHash, sniffAssetType } from "../../party/shared/assets.ts";

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe("sniffAssetType", () => {
  it.each([
    ["PNG", bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], "IHDR"), "image/png"],
    ["JPEG (JFIF)", bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF"), "image/jpeg"],
    ["JPEG (Exif)", bytes([0xff, 0xd8, 0xff, 0xe1, 0, 16], "Exif"), "image/jpeg"],
    ["GIF 89a", bytes("GIF89a", [1, 0, 1, 0]), "image/gif"],
    ["GIF 87a", bytes("GIF87a", [1, 0, 1, 0]), "image/gif"],
    ["WebP", bytes("RIFF", [36, 0, 0, 0], "WEBPVP8 "), "image/webp"],
    ["SVG", bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), "image/svg+xml"],
    ["SVG after a BOM, an XML declaration and a comment", bytes([0xef, 0xbb, 0xbf], '<?xml version="1.0"?>\n<!-- made by hand -->\n<svg>'), "image/svg+xml"],
    ["SVG by doctype", bytes('  <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN">'), "image/svg+xml"],
    ["HTML", bytes("<!doctype html><script>alert(1)</script>"), null],
    ["a RIFF that is not WebP (WAV)", bytes("RIFF", [36, 0, 0, 0], "WAVEfmt "), null],
    ["a truncated PNG signature", bytes([0x89], "PNG"), null],
    ["empty", bytes(), null],
    ["PNG signature not at the start", bytes(" ", [0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a]), null],
  ])("%s", (_, file, type) => {
    expect(sniffAssetType(file)).toBe(type);
  });
});

describe("assetHash", () => {
  it("is SHA-256 as lowercase hex", async () => {
    expect(await assetHash(bytes("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
