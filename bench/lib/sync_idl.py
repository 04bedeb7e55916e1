#!/usr/bin/python3
"""Initial sync with the OVS Python IDL, for bench/lib/sync.mjs.

Usage: sync_idl.py REMOTE DB

Does what a Python program using the IDL does at startup (the way ovsdbapp does it): fetch the schema
from the server, register every table, build an Idl and run it until the initial contents are in
memory. Prints one JSON line: the time from before connecting until then, the rows held, and the
process's peak RSS.
"""
import json
import sys
import time

import ovs.db.idl
import ovs.jsonrpc
import ovs.poller
import ovs.stream


def vm_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def main():
    remote, db = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()

    # The schema, from the server itself (our client fetches it too).
    err, stream = ovs.stream.Stream.open_block(ovs.stream.Stream.open(remote))
    if err:
        raise SystemExit("cannot connect to %s: %s" % (remote, err))
    rpc = ovs.jsonrpc.Connection(stream)
    err, reply = rpc.transact_block(ovs.jsonrpc.Message.create_request("get_schema", [db]))
    if err or reply.error:
        raise SystemExit("get_schema failed: %s" % (err or reply.error))
    rpc.close()
    t_schema = time.perf_counter()

    helper = ovs.db.idl.SchemaHelper(schema_json=reply.result)
    helper.register_all()
    idl = ovs.db.idl.Idl(remote, helper)
    # change_seqno stays 0 until the reply to the data monitor request has been parsed into the IDL's
    # tables (the _Server monitor it sends first does not count).
    while idl.change_seqno == 0:
        idl.run()
        if idl.change_seqno != 0:
            break
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.block()
    t1 = time.perf_counter()

    rows = sum(len(t.rows) for t in idl.tables.values())
    print(json.dumps({
        "ms": (t1 - t0) * 1000,
        "schemaMs": (t_schema - t0) * 1000,
        "rows": rows,
        "peakRssMiB": vm_kib("VmHWM") / 1024,
        "rssMiB": vm_kib("VmRSS") / 1024,
    }))
    sys.stdout.flush()
    idl.close()


if __name__ == "__main__":
    main()
