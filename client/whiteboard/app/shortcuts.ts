/**
 * The keyboard shortcuts the board answers to, as the shortcut sheet lists
 * them. The tool keys come from canvas/tools.ts (the same table the board
 * reads); the others mirror the board controller's key handling — a shortcut
 * added there belongs here too (the browser test presses every tool key the
 * sheet shows).
 */
import { TOOLS } from "../canvas/tools.ts";

export interface Shortcut {
  /** What it does. */
  action: string;
  /** The keys, each alternative a list of keys pressed together. */
  keys: readonly (readonly string[])[];
}

export interface ShortcutGroup {
  title: string;
  shortcuts: readonly Shortcut[];
}

/** Other whiteboards' letters the board also accepts (tools.ts toolForKey). */
const TOOL_ALIASES: Readonly<Record<string, string>> = { pen: "D" };

/** The groups of the sheet; `mod` is "Ctrl" or "⌘" (the board accepts either key). */
export function shortcutGroups(mod: string): readonly ShortcutGroup[] {
  return [
    {
      title: "Tools",
      shortcuts: TOOLS.map((t) => ({
        action: t.label,
        keys: [[t.key.toUpperCase()], ...(TOOL_ALIASES[t.tool] ? [[TOOL_ALIASES[t.tool]!]] : [])],
      })),
    },
    {
      title: "Edit",
      shortcuts: [
        { action: "Undo", keys: [[mod, "Z"]] },
        { action: "Redo", keys: [[mod, "Shift", "Z"], [mod, "Y"]] },
        { action: "Select all", keys: [[mod, "A"]] },
        { action: "Copy (also to another board)", keys: [[mod, "C"]] },
        { action: "Cut", keys: [[mod, "X"]] },
        { action: "Paste", keys: [[mod, "V"]] },
        { action: "Duplicate", keys: [[mod, "D"]] },
        { action: "Bring to front", keys: [[mod, "Shift", "]"]] },
        { action: "Send to back", keys: [[mod, "Shift", "["]] },
        { action: "Menu of the selection", keys: [["Right-click"], ["Long press"], ["Shift", "F10"]] },
        { action: "Group the selection", keys: [[mod, "G"]] },
        { action: "Ungroup", keys: [[mod, "Shift", "G"]] },
        { action: "Select inside a group", keys: [["Double-click"]] },
        { action: "Lock the selection (unlock: right-click it)", keys: [[mod, "Shift", "L"]] },
        { action: "Align left / right / top / bottom", keys: [[mod, "Shift", "Arrow keys"]] },
        { action: "Delete the selection", keys: [["Delete"], ["Backspace"]] },
        { action: "Nudge the selection (with Shift: 10×)", keys: [["Arrow keys"]] },
        { action: "Select the next / previous shape (canvas focused)", keys: [["Tab"], ["Shift", "Tab"]] },
        { action: "Edit the selected text, note or label", keys: [["Enter"], ["Double-click"]] },
        { action: "Write text where you click", keys: [["Double-click"]] },
        { action: "Finish writing", keys: [["Esc"], [mod, "Enter"]] },
        { action: "Cancel, then deselect, then back to Select", keys: [["Esc"]] },
      ],
    },
    {
      title: "View",
      shortcuts: [
        { action: "Zoom in", keys: [["+"], [mod, "+"]] },
        { action: "Zoom out", keys: [["−"], [mod, "−"]] },
        { action: "Zoom to 100%", keys: [[mod, "0"]] },
        { action: "Zoom to fit the board", keys: [["Shift", "1"]] },
        { action: "Zoom at the pointer", keys: [[mod, "Wheel"]] },
        { action: "Pan", keys: [["Space", "Drag"], ["Wheel"]] },
        { action: "Pan sideways", keys: [["Shift", "Wheel"]] },
        { action: "This list", keys: [["?"]] },
      ],
    },
  ];
}

/** "⌘" on Apple keyboards, "Ctrl" elsewhere. */
export function modifierKeyName(platform: string = globalThis.navigator?.platform ?? ""): string {
  return /Mac|iPhone|iPad/.test(platform) ? "⌘" : "Ctrl";
}
