"""The SHACL Core constraint components, one module per family as SHACL section 4 groups them
(value type, cardinality, value range, string-based, property pair, logical, shape-based,
other). Each module lists its components (with their IRIs) and compiles them to SPARQL."""
