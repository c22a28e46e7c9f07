// When to give up restarting a server that keeps exiting. Free of the
// `vscode` module for tests.

/**
 * Allows a few restarts, then stops: a server that exits `limit` times
 * within `windowMs` is broken (wrong binary, bad arguments), and restarting
 * it forever would only hide that from the user.
 */
export class RestartPolicy {
  private exits: number[] = [];

  constructor(
    private readonly limit = 3,
    private readonly windowMs = 60_000,
  ) {}

  /** Records an exit at `now`; returns whether to restart. */
  exited(now: number): boolean {
    this.exits = this.exits.filter((t) => now - t < this.windowMs);
    this.exits.push(now);
    return this.exits.length < this.limit;
  }

  reset(): void {
    this.exits = [];
  }
}
