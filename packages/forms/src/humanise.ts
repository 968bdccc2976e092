/**
 * Words made from a key, for the one case a definition gave none (the lint warns then):
 * `reworkCount` → "Rework count", `DAMAGE_REPORTED` → "Damage reported", `work.dispatched` →
 * "Dispatched", `on-site` → "On site". A money key's `Fen` and a reference's `Id` are dropped,
 * since screens show yuan and names. Pure.
 * @example humanise('priceFen') // 'Price'
 */
export function humanise(key: string): string {
  const last = key.split(/[.:/]/).filter(Boolean).at(-1) ?? key;
  const words = last
    .replace(/(Fen|Id)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const text = words.join(' ');
  return text ? text[0]!.toUpperCase() + text.slice(1) : key;
}
