"""The service's background jobs; ``table.JOBS`` lists those ``gavel serve`` runs."""
