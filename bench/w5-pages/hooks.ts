/**
 * What bench/render-peers.ts drives in each peer's page: load W5's shapes,
 * read and set the camera. The camera is given as
 * the whiteboard's is (client/whiteboard/canvas/camera.ts): the world point at
 * the top-left of the screen and the zoom, whatever the editor stores — so
 * one camera (the shared fit of "whole board") is the same view in every page.
 */
import type { Shape } from "../../party/whiteboard/records.ts";

export interface W5Camera {
  x: number;
  y: number;
  zoom: number;
}

export interface W5Hooks {
  load(shapes: Shape[]): void;
  count(): number;
  camera(): W5Camera;
  setCamera(c: W5Camera): void;
}

declare global {
  interface Window {
    __w5?: W5Hooks;
  }
}
