/**
 * The token secret of the bench Worker's audience route (`/parties/whiteboard-audience/<room>`,
 * bench/peers/worker.ts): W6 mints its editors' and viewers' tokens with it
 * (bench/workloads/w6-audience.ts). Benchmark-only; never deployed.
 */
export const AUDIENCE_SECRET = "edgeroom-bench-w6-audience-secret-not-for-production";
