"""ZeroMQ links between centres. Knows keys, sequence numbers and bytes, nothing of the domain."""
