"""SPARQL: the tokenizer, the read-only and SERVICE policy, running queries and rendering results, remote endpoints, the named queries."""
