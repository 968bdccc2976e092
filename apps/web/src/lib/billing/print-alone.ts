import { tick } from 'svelte';

/**
 * Prints one card (a receipt or a refund slip) alone: `setPrinting(true)` lets the card take the
 * `printing` class, the body class scopes app.css's print rules to it, and both are cleared after printing.
 */
export async function printAlone(setPrinting: (printing: boolean) => void): Promise<void> {
  setPrinting(true);
  await tick();
  document.body.classList.add('printing-receipt');
  window.addEventListener('afterprint', () => {
    document.body.classList.remove('printing-receipt');
    setPrinting(false);
  }, { once: true });
  window.print();
}
