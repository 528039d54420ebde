"""Account: the key, balance and sign-in panel, the add-on preferences, and the account operators
(check key, refresh balance, top up).

Imports like every feature (see ``features/__init__.py``); never another feature.
"""
