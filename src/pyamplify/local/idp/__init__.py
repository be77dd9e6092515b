"""The user-pool service (``AWSCognitoIdentityProviderService``)."""
