"""A local STS: ``GetCallerIdentity`` for the credentials identity pools mint."""
