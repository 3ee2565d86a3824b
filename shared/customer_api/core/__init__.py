"""What every room of the layer speaks: records, domain errors, settings, the clock."""
