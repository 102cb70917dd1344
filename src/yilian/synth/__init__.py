"""A synthetic health system in yilian's ontology, for tests and benchmarks at scale."""
