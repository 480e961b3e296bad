"""Lambdesk: everything the Lambda functions run."""
