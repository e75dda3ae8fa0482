"""Mexican personal names and identity codes, in plain Python (no Django).

The one home of the domain helpers every app uses: accent folding and search keys
(``text``), nickname, abbreviation and particle tables (``nicknames``), name keys
(``names``), the Spanish phonetic key (``phonetic``) and the CURP (``curp``).
"""
