import { describe, expect, it } from "vitest";
import { BoardUi } from "../../client/whiteboard/canvas/board-ui.ts";

describe("the board's UI state while the camera moves", () => {
  it("a zoom gesture tells the camera's subscribers every frame and the toolbar's none", () => {
    const ui = new BoardUi({ color: "#1e1e1e", stroke: 2 });
    let uiRenders = 0;
    let cameraFrames = 0;
    ui.subscribe(() => uiRenders++);
    ui.subscribeCamera(() => cameraFrames++);
    // 120 frames of zooming in by 3 % a frame (bench/render.ts's zoom script).
    let zoom = 1;
    for (let i = 0; i < 120; i++) ui.cameraMoved({ x: 0, y: 0, zoom: (zoom *= 1.03) });
    expect(cameraFrames).toBe(120);
    expect(uiRenders).toBe(0);
    // The state still says the zoom (the text box and the tests read it).
    expect(ui.get().zoom).toBe(zoom);
    // A change the panels show still reaches them.
    ui.set({ tool: "pen" });
    expect(uiRenders).toBe(1);
    expect(ui.get()).toMatchObject({ tool: "pen", zoom });
  });
});
