"""One module per kind of page; `common` holds what every page shares (the Site, the
templates, links and labels)."""
