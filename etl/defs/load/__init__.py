"""Load: staged, pseudonymized rows into the star schema, one month of one institution at a time."""
