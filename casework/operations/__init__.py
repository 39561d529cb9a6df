"""Use cases: each changes state through the policy engine, writes audit events and flushes.

The caller (a request or a job) commits once; e-mails go out only after that commit.
"""
