"""The `observatorio` command line."""
