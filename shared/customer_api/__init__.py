"""Customer API layer, in four rooms whose imports point one way (a test holds them to it):

    edge    HTTP and the command line: resolver, credentials, cookies, statuses, reply models
    domain  the use cases: customers, logins, sessions, tokens, passwords, request inputs
    store   the only code that imports boto3: the Store protocol, DynamoDB and in-memory stores
    core    what every room speaks: records, domain errors, settings, the clock

edge -> domain -> store -> core; nothing imports a room above its own.
"""
