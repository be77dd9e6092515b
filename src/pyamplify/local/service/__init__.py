"""The model-driven service type that both Cognito services are instances of."""
