"""The identity-pool service (``AWSCognitoIdentityService``)."""
