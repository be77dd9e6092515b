"""The ``pyamplify`` command line: thin wrappers that call the library and format its results.

Every command module imports only the standard library at import time, so that
``pyamplify --help`` and the credential fast path start quickly; heavy imports happen inside the
functions that run a command.
"""
