/**
 * `node bench/hosts/hocuspocus.ts <port>` — Hocuspocus as its docs start it:
 * `new Server({ port, address, quiet, debounce: 0 }).listen()`, memory only
 * (no persistence extension), on 127.0.0.1. A Node process, not a Durable
 * Object: a labelled reference, started under `taskset` by run.ts.
 */
import { Server } from "@hocuspocus/server";

const port = Number(process.argv[2]);
if (!port) throw new Error("usage: hocuspocus.ts <port>");
const server = new Server({ port, address: "127.0.0.1", quiet: true, debounce: 0 });
await server.listen();
const stop = () => void server.destroy().finally(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
