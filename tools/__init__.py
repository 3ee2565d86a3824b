"""Build and check tools: the OpenAPI generator, the layer check, the SAM translation for the
template tests, and the DynamoDB call counter of the round-trip tests and benchmarks."""
