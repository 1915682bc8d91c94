"""A Clustered Hashmap Protocol client written from ZeroMQ RFC 12 alone (it imports nothing of comms)
takes a snapshot of a subtree from our server, follows its updates and sees TTL values expire.

RFC 12 has no security, so this runs against a server with CURVE off (docs/protocol.md section 1).
"""

from __future__ import annotations

import zmq

from tests.comms.rfc12 import RfcCloneClient


def test_rfc12_client_takes_a_subtree_snapshot_and_follows(base_port):
    from comms.clone import CloneServer  # the server under test; the client stays independent

    server = CloneServer("127.0.0.1", base_port, heartbeat=0.1).start()
    ctx = zmq.Context()
    client = RfcCloneClient(ctx, "127.0.0.1", base_port, b"/camera/")
    try:
        for i in range(100):
            server.publish(f"/camera/{i}", b"cam%d" % i)
            server.publish(f"/cell/{i}", b"cell%d" % i)
        server.info()  # the updates are in
        client.sync()
        assert client.map == {b"/camera/%d" % i: b"cam%d" % i for i in range(100)}

        server.publish("/camera/5", b"moved")
        server.delete("/camera/6")
        server.publish("/cell/1", b"not mine")
        server.publish("/camera/flash", b"on", ttl=0.3)
        client.follow(0.2)
        assert client.map[b"/camera/5"] == b"moved"
        assert b"/camera/6" not in client.map
        assert b"/cell/1" not in client.map
        assert client.map[b"/camera/flash"] == b"on"
        client.follow(0.5)
        assert b"/camera/flash" not in client.map  # the TTL ran out and the server said so
        assert client.hugz >= 3

        # Its writes (KVSET with a ttl) reach the server and come back as updates. The first may be
        # lost while the server's SUB attaches this PUB, so the RFC client, like ours, repeats it.
        for _ in range(20):
            client.set(b"/camera/third-party", b"hello", ttl=1)
            client.follow(0.1)
            if b"/camera/third-party" in client.map:
                break
        assert client.map[b"/camera/third-party"] == b"hello"
        assert server.dump("/camera/")["/camera/third-party"].props["ttl"] == "1"
        assert {k.encode(): e.body for k, e in server.dump("/camera/").items()} == client.map
    finally:
        client.close()
        ctx.term()
        server.stop()
