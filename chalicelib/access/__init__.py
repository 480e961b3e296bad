"""Customer access without passwords: sessions, one-time sign-in links and codes, ticket links, rate limits.

Below the feature slices: ``mailflow`` mints ticket links for the mail it sends, ``portal`` verifies them and
signs customers in. Secrets are random (or derived with the deployment's HMAC key where a retried message must
mint the same one) and stored only as SHA-256 hashes; every record expires. docs/decisions/041-portal.md.
"""
