"""Independent synthetic evaluation data for the record linker (issue 14).

Two generators, written from published facts and not from ``matching/``:

* ``registro_b``: state prosecutors' missing-person reports (typed by staff from
  what relatives say) against police detention logs typed into web forms.
* ``registro_c``: families' and search commissions' forms against prison and
  migration-station entry books transcribed from handwriting and OCR.

Each writes ``left.csv``, ``right.csv`` (the linker's CSV schema), ``truth.csv``
(every true left/right pair) and ``hard_negatives.csv`` (planted relatives and
namesakes, all different people: for analysis, never an input).  Shared here are
only facts and plumbing: the INEGI geography (``geo``), the RENAPO CURP rules
(``curp``) and CSV writing (``output``).  See README.md for the error models.
"""
