"""DynamoDB implementation of the repositories (pynamodb, one table)."""
