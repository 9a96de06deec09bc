/** Types of glance-server.mjs (plain JavaScript, shared with the benchmark). */
export interface GlanceServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  dir: string;
  /** Where the file store keeps image data. */
  storeDir: string;
  logFile: string;
  /** Stops glance-api (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

export function hasGlance(): Promise<boolean>;
export function startGlance(): Promise<GlanceServer>;
