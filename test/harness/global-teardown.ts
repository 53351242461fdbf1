/** Jest global teardown: stops what global setup started (docker mode). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__ctwatchInfraStop?.();
}
