/** `ctwatch health` answered but not SERVING: exit code 1 after printing the status. */
export class HealthResponse extends Error {
  override readonly name = "HealthResponse";
  constructor(readonly status: string) {
    super(`health: ${status}`);
  }
}
