"""pynamodb settings of the benchmark process (``PYNAMODB_CONFIG`` points here; ``bench/__main__.py`` sets it).

moto copies the whole table for every TransactWriteItems and scans it for every Query: at 10,000 tickets a
transaction takes seconds. pynamodb's default 30 s read timeout would make botocore retry it, and a retried
write would count twice. The benchmark only measures request counts there, so it waits longer instead.
"""

read_timeout_seconds = 600
