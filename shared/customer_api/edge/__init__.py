"""The edges of the service: HTTP (resolver, credentials, cookies, statuses, replies, docs) and the
admin command line. Handlers in functions/ are built from these."""
