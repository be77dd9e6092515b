"""Identity-pool credentials where Python users need them: boto3 and the AWS CLI.

:func:`pyamplify.aws.boto3_session.boto3_session` (also ``Auth.boto3_session()``) builds a
``boto3.Session`` whose credentials refresh themselves through an ``Auth``;
:mod:`pyamplify.aws.process` formats credentials as AWS CLI ``credential_process`` output,
``export`` lines or JSON. Importing this package loads nothing: ``process`` is stdlib-only so that
the CLI's credential fast path can use it, and boto3 loads only when a session is built.
"""

from __future__ import annotations
