/**
 * The one seam through which the local world reaches the bot. Production passes nothing, so the
 * bot never loads the local tenant or Azurite; `npm start` (local/start.ts) fills it.
 */
export interface LocalWorld {
  /** Starts the Graph-compatible local tenant; resolves with its base URL template (`{tenantId}` inside). */
  startGraph(port: number): Promise<{ baseUrlTemplate: string; stop(): Promise<void> }>;
  /** Starts the local Azure Storage emulator; resolves with its connection string. */
  startStorage(options: { location: string; blobPort: number; queuePort: number }): Promise<{ connectionString: string; stop(): Promise<void> }>;
}
