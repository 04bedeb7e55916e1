/**
 * The heartbeat must not cut a client for the gateway's own pause. Found by the load benchmark
 * (`node bench/run.mjs load`): when the gateway's event loop stalled for seconds (a major garbage collection
 * on a starved machine), the heartbeat timer fired as soon as the loop ran again — before the pongs waiting
 * in the sockets were read — and terminated healthy, reading clients as "missed a heartbeat".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, type DatabaseSchema } from '@ovsdb-web/client';
import { startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { NB, startGateway, type RunningGateway } from '../fault-support.js';
import { StreamClient } from '../test-support.js';

let server: OvsdbServerProcess;
let schema: DatabaseSchema;
let gw: RunningGateway;
const HEARTBEAT_MS = 300;

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  const c = await OvsdbClient.connect(server.unixRemote!);
  schema = await c.getSchema(NB);
  await c.close();
  gw = await startGateway(server.unixRemote!, { limits: { heartbeatMs: HEARTBEAT_MS } });
});
afterAll(async () => {
  await gw?.app.close();
  await server?.stop();
});

describe('the WebSocket heartbeat', () => {
  it('keeps a client that answered, even when the gateway itself was stalled past the next ping', async () => {
    const c = new StreamClient(gw.ws, schema);
    await c.opened();
    let closed: number | undefined;
    c.ws.on('close', (code) => (closed = code));
    // The client answers the ping at once (ws does), then this process — the gateway's too — stops for
    // longer than a heartbeat interval, so the gateway's timer is due before it has read the pong.
    await new Promise<void>((resolve) =>
      c.ws.once('ping', () => {
        const until = Date.now() + 3 * HEARTBEAT_MS;
        while (Date.now() < until) {
          // busy: the event loop is blocked
        }
        resolve();
      }),
    );
    await new Promise((r) => setTimeout(r, 4 * HEARTBEAT_MS));
    expect(closed).toBeUndefined();
    c.send({ type: 'ping', data: 'still here' });
    await c.waitFor(() => c.messages.some((m) => m.type === 'pong'), 5_000, 'a pong after the stall');
    c.close();
  });

  it('still cuts a client that stopped answering', async () => {
    const c = new StreamClient(gw.ws, schema);
    await c.opened();
    const closed = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    c.ws.pause(); // reads nothing, so answers no ping
    await new Promise((r) => setTimeout(r, 5 * HEARTBEAT_MS));
    c.ws.resume(); // and now finds the connection gone
    expect(await closed).toBe(1006);
  });
});
