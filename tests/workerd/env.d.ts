// Types for `env` and `exports` from "cloudflare:workers" in the workerd tier
// (what `wrangler types` would generate for ./wrangler.toml): its main module
// is the engine's test Worker (./worker.ts), its room namespace CARDS.
type EdgeroomEnv = import("../../party/engine/durable-object.ts").RoomEnv;
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./worker.ts");
    durableNamespaces: "CardsRoom" | "LectureRoom";
  }
  interface Env extends EdgeroomEnv {
    CARDS: DurableObjectNamespace;
    LECTURE: DurableObjectNamespace;
  }
}
