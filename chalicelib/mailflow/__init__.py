"""The email channel's flows: inbound mail -> tickets, ticket events -> outbound mail, SES feedback.

Parsing and classification of a single message live in ``chalicelib.mail``; this package moves mail
between S3, SQS, SES and the ticket services.
"""
