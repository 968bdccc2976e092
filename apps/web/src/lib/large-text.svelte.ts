/**
 * Large-text mode (适老化): type and controls scaled up for older residents, remembered per user in
 * this browser, applied as the `large-text` class on <html> (app.css).
 */
class LargeText {
  on = $state(false);
  private key = '';

  /** Reads the signed-in user's choice (none signed in: off) and applies it. */
  load(userId: string | undefined): void {
    this.key = userId ? `ef-large-text:${userId}` : '';
    this.on = !!this.key && typeof localStorage !== 'undefined' && localStorage.getItem(this.key) === '1';
    this.apply();
  }

  toggle(): void {
    this.on = !this.on;
    if (this.key && typeof localStorage !== 'undefined') localStorage.setItem(this.key, this.on ? '1' : '0');
    this.apply();
  }

  private apply(): void {
    if (typeof document !== 'undefined') document.documentElement.classList.toggle('large-text', this.on);
  }
}

export const largeText = new LargeText();
