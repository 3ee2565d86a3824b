"""The use cases: customers, logins, sessions, tokens and passwords. No HTTP, no boto3."""
