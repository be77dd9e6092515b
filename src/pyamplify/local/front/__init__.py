"""The HTTP front of the local Cognito: the ASGI app, the server and the HTTP protocol."""
