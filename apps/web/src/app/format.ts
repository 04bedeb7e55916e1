// One formatter for the page: `Number.prototype.toLocaleString` builds a new one at each call, which showed
// as 100 ms of a first load (the sidebar's row counts, redrawn at every status update).
const COUNT = new Intl.NumberFormat();

/** A count with the reader's digit grouping: 100,000. */
export function formatCount(n: number): string {
  return COUNT.format(n);
}
