"""ZeroMQ links between centres. Knows keys, sequence numbers and bytes, nothing of the domain.

docs/protocol.md is the specification; these modules are its reference implementation:

- ``comms.wire``: frames, properties, limits and validation (pure functions, no ZeroMQ);
- ``comms.records``: ``Peer``, ``Command``, ``CommandRefused``: what the application sees (no ZeroMQ);
- ``comms.sockets``: whole messages sent and received on the hot paths, a message's properties;
- ``comms.keys``: CURVE key folders, the ZAP allow-list binding each key to a role;
- ``comms.clone``: state replication (Clone / CHP, RFC 12, plus catch-up): ``CloneServer``, ``CloneClient``;
- ``comms.commands``: commands that must not be lost: ``CommandServer``, ``CommandClient``;
- ``comms.stats``: counters of dropped and refused messages; ``comms.agent``: the front/agent thread split;
- ``comms.tool``: ``python -m comms.tool keys|follow|command-server``.
"""
