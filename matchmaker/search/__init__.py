"""Full-text search: Whoosh behind a small backend interface, kept in step with the database."""
