"""Running the service without AWS: the template reader and the local server."""
