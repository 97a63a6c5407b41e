/** A font file imported with Vite's `?inline`: its bytes as a data: URL (canvas/fonts.ts). */
declare module "*.woff2?inline" {
  const dataUrl: string;
  export default dataUrl;
}
