"""Veilleur: an event ledger from conflict news (French and English)."""

__version__ = "0.1.0"
