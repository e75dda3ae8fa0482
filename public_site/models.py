# The public site only reads and renders; it owns no tables.
