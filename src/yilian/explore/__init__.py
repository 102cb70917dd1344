"""Reading the graph without SPARQL: stats, describe, search, facts and timeline."""
