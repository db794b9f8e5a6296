"""The counter store: the counter's mutable local state in ``counter.sqlite3``.

Operators, shifts, the blacklist, parameters, holders and card links. Evidence is in the journal.
"""
