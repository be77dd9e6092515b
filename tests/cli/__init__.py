"""Tests of the ``pyamplify`` command's groups."""
