"""SHACL validation: the SPARQL-compiled engine (engine, over shapes, scratch, targets, core/,
sparql_constraints), the pySHACL reference engine (pyshacl_bridge), the report (report), and
choosing between them (validate)."""
