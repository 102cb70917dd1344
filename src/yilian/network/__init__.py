"""The network of ties between institutions: building it from the graph (build), measures and paths (analysis), exchange formats (export), pictures (view, with templates/ and static/)."""
