"""Experiments that train several models and return a plain results table.

Each function returns a list of records (dicts) or a dict of lists: no pandas.
"""

from __future__ import annotations
