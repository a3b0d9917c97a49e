"""Resolve stage: turn argument text into values (dates, numbers and tolls, places, actors).

Each module builds a typed, cached view of its own language data (``lang/<code>/<concept>.toml``) and exposes
plain functions over text; none of them does work at import time.
"""
