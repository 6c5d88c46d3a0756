"""Landing zone: every upload stored immutably and encrypted, and its submission recorded."""
