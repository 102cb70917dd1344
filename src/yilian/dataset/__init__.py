"""Which files make up the graph, parsing them, and the content-keyed query store: one path from --data to an opened store."""
