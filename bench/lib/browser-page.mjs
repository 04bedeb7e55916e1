// What the browser benchmark runs inside the app's page (installed with `addInitScript`, before the app's own
// scripts): when the first rows appear in the grid, long tasks and long animation frames, a frame-time
// recorder driven by requestAnimationFrame, a scroller that moves the grid every frame to where a steady hand would have it, and a watcher
// that notes when a changed value reaches the grid. Everything is stored on `window.__bench`; all times are
// `performance.now()` of the page (ms since navigation start) unless named `epoch`.

/** Installed in every document of the app's context. Self-contained: Playwright sends its source text. */
export function instrumentPage() {
  const B = {
    firstRows: undefined,
    firstRowsPainted: undefined,
    longtasks: [],
    loafs: [],
  };
  window.__bench = B;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    B.longtasks = undefined;
  }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.loafs.push([e.startTime, e.duration, e.blockingDuration ?? 0]);
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    B.loafs = undefined;
  }

  // First rows: a data row (not a placeholder) with a non-empty name cell in the grid.
  const ROW = '[role=grid] [role=row]:not(.ow-thead):not(.ow-loading) [role=gridcell][data-column="name"]';
  const first = new MutationObserver(() => {
    if (B.firstRows !== undefined) return;
    const cell = document.querySelector(ROW);
    if (!cell || cell.textContent === '') return;
    B.firstRows = performance.now();
    first.disconnect();
    // The frame that shows them is painted after the next animation frame callback; a task queued from it
    // runs after that paint.
    requestAnimationFrame(() => setTimeout(() => (B.firstRowsPainted = performance.now()), 0));
  });
  first.observe(document, { childList: true, subtree: true, characterData: true });

  const grid = () => document.querySelector('.ow-grid-scroll[role=grid]');

  /** rAF timestamps for `ms`. */
  B.frames = (ms) =>
    new Promise((resolve) => {
      const ts = [];
      const end = performance.now() + ms;
      const tick = (t) => {
        ts.push(t);
        if (t < end) requestAnimationFrame(tick);
        else resolve(ts);
      };
      requestAnimationFrame(tick);
    });

  /** Rows of the viewport (by index) that are not shown yet: placeholders, or not rendered at all. */
  const missing = (pos, height, rowHeight, count) => {
    const firstIndex = Math.max(0, Math.floor(pos / rowHeight));
    const lastIndex = Math.min(count - 1, Math.floor((pos + height) / rowHeight) - 1);
    let n = 0;
    for (let i = firstIndex; i <= lastIndex; i++) {
      const el = document.getElementById(`ow-row-${i}`);
      if (!el || el.classList.contains('ow-loading')) n++;
    }
    return n;
  };

  /**
   * Scroll the grid for `seconds`, moving it each animation frame to where it should be by then: at
   * `pxPerSecond`, or (with `toBottom`) so that it reaches the bottom at the end — as a hand on the wheel or
   * the scrollbar would, whatever the frame rate. Records each frame's timestamp and whether the viewport
   * showed rows not loaded yet; then waits (up to 5 s) until the last screen is filled and says how long that
   * took.
   */
  B.scroll = ({ seconds, pxPerSecond, toBottom = false, rowHeight = 32 }) =>
    new Promise((resolve) => {
      const g = grid();
      if (!g) return resolve({ error: 'no grid' });
      const height = g.clientHeight - rowHeight; // the sticky header row covers the first row's height
      const max = g.scrollHeight - g.clientHeight;
      const count = Number(g.getAttribute('aria-rowcount') ?? '1') - 1;
      const from = g.scrollTop;
      const rate = toBottom ? (max - from) / seconds : pxPerSecond;
      let pos = from;
      const ts = [];
      let blankFrames = 0;
      let blankRows = 0;
      let t0;
      const tick = (t) => {
        ts.push(t);
        if (t0 === undefined) t0 = t;
        else {
          // What the previous frame showed, at the position it was scrolled to.
          const n = missing(pos, height, rowHeight, count);
          if (n > 0) blankFrames++;
          blankRows += n;
        }
        const elapsed = (t - t0) / 1000;
        if (elapsed >= seconds) {
          const stoppedAt = performance.now();
          const settle = () => {
            if (missing(pos, height, rowHeight, count) === 0 || performance.now() - stoppedAt > 5_000) {
              resolve({
                ts,
                distance: pos - from,
                max,
                blankFrames,
                blankRows,
                settleMs: performance.now() - stoppedAt,
              });
            } else requestAnimationFrame(settle);
          };
          return requestAnimationFrame(settle);
        }
        pos = Math.min(max, Math.round(from + rate * Math.min(elapsed + 1 / 60, seconds)));
        g.scrollTop = pos;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });

  /**
   * Watch the grid for values of `column` (a map) whose `key` holds a send time (Date.now() of the writer):
   * each new value seen in a row records now − that time.
   */
  B.watchValues = (column, key) => {
    const g = grid();
    const seen = new Map();
    const lat = [];
    const re = new RegExp(`${key}=(\\d+)`);
    const look = (cell) => {
      const row = cell.closest('[role=row]');
      const uuid = row?.querySelector('[data-column="_uuid"] [title]')?.getAttribute('title');
      if (!uuid) return;
      const m = re.exec(cell.textContent ?? '');
      if (!m || seen.get(uuid) === m[1]) return;
      seen.set(uuid, m[1]);
      lat.push(Date.now() - Number(m[1]));
    };
    const sel = `[role=gridcell][data-column="${column}"]`;
    const mo = new MutationObserver((records) => {
      const cells = new Set();
      for (const r of records) {
        const t = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        const c = t?.closest(sel);
        if (c) cells.add(c);
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          if (n.matches(sel)) cells.add(n);
          else for (const x of n.querySelectorAll(sel)) cells.add(x);
        }
      }
      for (const c of cells) look(c);
    });
    if (g) mo.observe(g, { childList: true, subtree: true, characterData: true });
    B.stopWatch = () => {
      mo.disconnect();
      return lat;
    };
  };

  /** Rows on screen: uuid, name and the text of `column`, top to bottom. */
  B.rows = (column) => {
    const g = grid();
    if (!g) return [];
    const out = [];
    for (const row of g.querySelectorAll('[role=row]:not(.ow-thead):not(.ow-loading)')) {
      const uuid = row.querySelector('[data-column="_uuid"] [title]')?.getAttribute('title');
      const name = row.querySelector('[data-column="name"]')?.textContent ?? '';
      const value = column ? (row.querySelector(`[data-column="${column}"]`)?.textContent ?? null) : null;
      out.push({
        index: Number(row.getAttribute('aria-rowindex')) - 2,
        uuid,
        name,
        value,
        deleted: row.classList.contains('ow-deleted'),
      });
    }
    return out.sort((a, b) => a.index - b.index);
  };
}

/** Longest entry and count of `[start, duration]` pairs that start within [from, to] (page ms). */
export function entriesIn(entries, from, to) {
  if (!entries) return undefined;
  const inside = entries.filter(([s]) => s >= from && s <= to);
  return { count: inside.length, longest: inside.reduce((m, e) => Math.max(m, e[1]), 0) };
}
