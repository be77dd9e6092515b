"""The Lambda triggers' room: running a pool's trigger functions locally.

Reserved for the custom-authentication issue: the mapping from function ARNs to Python and
Node.js handlers, their invocation with Cognito's events, and the contributors that plug them
into the user-pool service's extension points (:mod:`pyamplify.local.idp.hooks`).
"""
