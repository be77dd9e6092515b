"""From existing Cognito pools to a working configuration, and back again to check it.

``pyamplify import auth`` reads pools through the Cognito management API (boto3), walks the
Amplify CLI's choices and rules, and writes ``amplifyconfiguration.json`` or
``amplify_outputs.json``; ``pyamplify doctor`` checks a configuration against the pools it
names. Modules, each with one job: ``aws_clients`` (boto3 clients, AWS errors as instructions),
``inventory`` (what exists), ``rules`` (the import rules and their fixes), ``prompts`` (asking
on a terminal or answering from flags), ``choose`` (the walk-through), ``build`` (the
``AuthConfig`` from the chosen resources), ``diff`` (what writing would change), ``doctor``
(findings and their fixes). Importing this package loads no third-party module; boto3 loads
when the first client is made.
"""

from __future__ import annotations
