"""The node runtime: the municipal centre and the district centres as running nodes, the client that
talks to them, and a console's attachment to one (docs/protocol.md section 7).

It runs the rules of ``modes`` over the transport of ``comms`` and the database of ``data``: sockets,
agent threads, the journal follower, the replicas' raw SQLite writers. The command line composes it
(``cli/links.py`` runs ``center`` and ``district``), the console opens its link through it
(``console/connect.py``); ``modes`` never imports it.

- ``nodes.centre``: ``CentreNode``; ``nodes.district``: ``DistrictNode``; ``nodes.serve``: run one
  until SIGTERM;
- ``nodes.client``: ``LinkClient`` (commands and state of a node), ``LinkError``, ``LinkRefused``;
- ``nodes.console_link``: ``ConsoleLink``, a console's replica of a node and its line to its commands;
- ``nodes.state_commands``: ``state.position`` and ``state.bulk``, and a replica's first synchronisation;
- ``nodes.follower``: the centre's ``JournalFollower``;
- ``nodes.replica``: ``DomainReplica`` and its bulk load; ``nodes.replica_writer``: bodies -> rows;
- ``nodes.logs``: JSON log lines.
"""
