// Types for `env` and `exports` from "cloudflare:workers" (what `wrangler types`
// would generate), so the Worker, the Durable Object and the workerd tests agree.
type EdgeroomEnv = import("./engine/durable-object.ts").RoomEnv;
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./whiteboard/worker.ts");
    durableNamespaces: "WhiteboardRoom";
  }
  interface Env extends EdgeroomEnv {
    WHITEBOARD: DurableObjectNamespace;
  }
}
