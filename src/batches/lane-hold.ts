/**
 * Holds a lane's starts after an admission refusal: until the refusal's retry-after, or sooner when a line of this
 * lane is booked (its reservation is released, which may make room) or the run stops.
 */
export class Hold {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private release: (() => void) | undefined;
  over: Promise<void> = Promise.resolve();

  get active(): boolean {
    return this.release !== undefined;
  }

  start(ms: number): void {
    if (this.release) return;
    this.over = new Promise<void>((resolve) => (this.release = resolve));
    this.timer = setTimeout(() => this.end(), ms);
  }

  end(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}
