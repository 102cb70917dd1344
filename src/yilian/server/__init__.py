"""Servers: yilian serve, the graph in memory behind a read-only SPARQL 1.1 endpoint."""
