"""Reading the graph without SPARQL: stats and describe."""
