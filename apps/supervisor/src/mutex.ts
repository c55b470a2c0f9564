/**
 * Runs tasks one at a time in arrival order. Everything that starts, stops or
 * reconfigures the Collector goes through one of these, so a remote config, a
 * restart command, a crash restart and an upgrade never interleave.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
