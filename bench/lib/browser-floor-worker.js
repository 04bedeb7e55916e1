// The floor of the browser benchmark, in a dedicated worker like the app's engine: open the gateway's stream
// WebSocket, send one subscribe message, and JSON.parse every message until the snapshot's last chunk. The
// parsed chunks are kept (a page needs the rows it received); nothing else is done with them.
'use strict';
self.onmessage = (e) => {
  const { url, subscribe } = e.data;
  const now = () => performance.timeOrigin + performance.now();
  const kept = [];
  self.kept = kept;
  let chunks = 0;
  let rows = 0;
  let chars = 0;
  let openAt;
  let firstAt;
  const ws = new WebSocket(url, ['ovsdb-web.v1']);
  self.ws = ws;
  ws.onopen = () => {
    openAt = now();
    ws.send(JSON.stringify(subscribe));
  };
  ws.onmessage = (ev) => {
    const text = ev.data;
    chars += text.length;
    const m = JSON.parse(text);
    if (m.type !== 'snapshot') return;
    if (firstAt === undefined) firstAt = now();
    kept.push(m);
    chunks++;
    rows += m.rows.length;
    if (m.last) self.postMessage({ doneAt: now(), openAt, firstAt, chunks, rows, chars });
  };
  ws.onerror = () => self.postMessage({ error: 'WebSocket error' });
  ws.onclose = (ev) => self.postMessage({ error: `WebSocket closed (${ev.code} ${ev.reason})` });
};
