import { api } from '$lib/api/client.ts';
import { session } from '$lib/session.svelte.ts';

/**
 * Large-text mode (适老化): type and controls scaled up for older residents, kept per user on their
 * account (`largeText` of /api/auth/me, set with PUT /api/auth/me/preferences) so it follows them to
 * another browser, applied as the `large-text` class on <html> (app.css).
 */
class LargeText {
  on = $state(false);

  /** Applies the signed-in user's choice (none signed in: off). */
  load(me: { largeText?: boolean } | null | undefined): void {
    this.on = me?.largeText === true;
    this.apply();
  }

  /** Switches the mode at once and keeps the choice on the user's account (a failed save switches it back). */
  async toggle(): Promise<void> {
    const me = session.me;
    if (!me) return;
    const next = !this.on;
    this.on = next;
    this.apply();
    try {
      await api('/auth/me/preferences', { method: 'PUT', body: { largeText: next } });
      session.me = { ...me, largeText: next };
      if (typeof sessionStorage !== 'undefined') sessionStorage.setItem('ef-me', JSON.stringify(session.me));
    } catch {
      this.on = !next;
      this.apply();
    }
  }

  private apply(): void {
    if (typeof document !== 'undefined') document.documentElement.classList.toggle('large-text', this.on);
  }
}

export const largeText = new LargeText();
