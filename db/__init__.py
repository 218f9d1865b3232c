"""The review file: opening it, its schema and migrations, and the queries features share."""
