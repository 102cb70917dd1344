"""Growing the graph from a new article: register the source, draft candidate facts, add the curated
sheet (checked quote by quote against the source text), and check every quote of the graph."""
