/**
 * A Svelte action for a box that scrolls sideways (`.table-wrap` around a wide table): while its
 * content is wider than it, the box takes keyboard focus (so the arrow keys scroll it) and is a
 * named region, as WCAG 2.1.1 asks (axe-core `scrollable-region-focusable`); when everything fits
 * it is a plain box again. The name is `label`, else the nearest heading before it.
 * @example <div class="table-wrap" use:scrollRegion={t('bills.title')}>…</div>
 */
export function scrollRegion(node: HTMLElement, label?: string) {
  let name = label;
  const update = () => {
    const scrolls = node.scrollWidth > node.clientWidth + 1;
    if (scrolls) {
      node.tabIndex = 0;
      node.setAttribute('role', 'region');
      node.setAttribute('aria-label', name || headingBefore(node) || '');
    } else {
      node.removeAttribute('tabindex');
      node.removeAttribute('role');
      node.removeAttribute('aria-label');
    }
  };
  const observer = new ResizeObserver(update);
  observer.observe(node);
  for (const child of Array.from(node.children)) observer.observe(child);
  update();
  return {
    update(next?: string) {
      name = next;
      update();
    },
    destroy() {
      observer.disconnect();
    },
  };
}

function headingBefore(node: HTMLElement): string {
  for (let el: Element | null = node; el; el = el.parentElement) {
    for (let sib = el.previousElementSibling; sib; sib = sib.previousElementSibling) {
      const h = sib.matches('h1,h2,h3') ? sib : sib.querySelector('h1,h2,h3');
      if (h?.textContent?.trim()) return h.textContent.trim();
    }
  }
  return document.title;
}
