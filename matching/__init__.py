"""Record linkage: a pure-Python core (no Django imports) and a thin ORM adapter.

This package's ``__init__`` must stay free of Django imports so that
``python -m matching`` runs on plain CSV files without a configured project.
"""
