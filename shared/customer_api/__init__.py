"""Customer API layer: models, auth, storage and errors shared by every function."""
