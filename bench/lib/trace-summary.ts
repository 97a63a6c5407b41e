/**
 * Where a page's main thread spends its frames, from a Chromium performance
 * trace (bench/render.ts `--trace`): thread time (CPU, not wall time, so a
 * busy machine inflates it less) per painted frame, split by cause.
 *
 * - `raf`: animation-frame callbacks (the board's painter, the bench's camera script);
 * - `commit`: handing the frame's layers to the compositor — for a 2D canvas
 *   without a GPU, copying its pixels (LayerTreeHost::DoUpdateLayers, Commit);
 * - `lifecycle`: style, layout, pre-paint and paint of the DOM;
 * - `tasks`: everything outside the frame: socket messages, timers, React;
 * - `gc`: garbage collection, wherever it ran (also counted in the others).
 */

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface FrameCost {
  frames: number;
  /** Thread ms per frame. */
  busy: number;
  raf: number;
  commit: number;
  lifecycle: number;
  tasks: number;
  gc: number;
}

const GC = /^(MinorGC|MajorGC|V8\.GC_MC_BACKGROUND|V8\.GCScavenger|V8\.GCFinalizeMC|V8\.GCIncrementalMarking)$/;

export function frameCost(traceJson: string): FrameCost {
  const parsed = JSON.parse(traceJson) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const names = new Map<string, string>();
  for (const e of events) if (e.name === "thread_name" && e.args?.name) names.set(`${e.pid}:${e.tid}`, e.args.name);
  // The page's main thread: the renderer main thread that ran the most animation frames.
  const frames = new Map<string, number>();
  for (const e of events) if (e.name === "ProxyMain::BeginMainFrame" && e.ph === "X") frames.set(`${e.pid}:${e.tid}`, (frames.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...frames].filter(([k]) => names.get(k) === "CrRendererMain").sort((a, b) => b[1] - a[1])[0];
  if (!main) return { frames: 0, busy: 0, raf: 0, commit: 0, lifecycle: 0, tasks: 0, gc: 0 };
  const [key, n] = main;
  const own = events.filter((e) => e.ph === "X" && `${e.pid}:${e.tid}` === key && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const t = (e: TraceEvent) => (e.tdur ?? e.dur ?? 0) / 1000;
  const sum = { busy: 0, raf: 0, commit: 0, lifecycle: 0, frame: 0, gc: 0 };
  const stack: TraceEvent[] = [];
  for (const e of own) {
    while (stack.length && stack.at(-1)!.ts + stack.at(-1)!.dur! <= e.ts) stack.pop();
    const inFrame = stack.some((s) => s.name === "ProxyMain::BeginMainFrame");
    if (stack.length === 0) sum.busy += t(e);
    if (e.name === "ProxyMain::BeginMainFrame") sum.frame += t(e);
    else if (inFrame && e.name === "FireAnimationFrame") sum.raf += t(e);
    else if (inFrame && e.name === "Commit") sum.commit += t(e);
    else if (inFrame && e.name === "WebFrameWidgetImpl::UpdateLifecycle") sum.lifecycle += t(e);
    if (GC.test(e.name) && !stack.some((s) => GC.test(s.name))) sum.gc += t(e);
    stack.push(e);
  }
  const per = (x: number) => Math.round((x / n) * 100) / 100;
  return { frames: n, busy: per(sum.busy), raf: per(sum.raf), commit: per(sum.commit), lifecycle: per(sum.lifecycle), tasks: per(sum.busy - sum.frame), gc: per(sum.gc) };
}
