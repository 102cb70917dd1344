"""SHACL validation: the SPARQL-compiled engine (yilian.shacl.engine), the pySHACL reference engine, and the report (yilian.shacl.validate)."""
