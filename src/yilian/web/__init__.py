"""The browser interface: server-rendered pages (search, entities with their facts and
quotes, facts, timeline, indicators, the network, a SPARQL page) for `yilian serve`, and
the same pages as a static site (`yilian site`). Templates and static files are package
data; pages work without JavaScript and never load anything from another host."""
