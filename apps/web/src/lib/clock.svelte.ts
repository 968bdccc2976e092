/** A shared "now" that ticks every 30 s, so SLA countdowns stay live without one timer per row. */
class Clock {
  now = $state(Date.now());
  private started = false;
  start(): void {
    if (this.started || typeof window === 'undefined') return;
    this.started = true;
    setInterval(() => (this.now = Date.now()), 30_000);
  }
}
export const clock = new Clock();
