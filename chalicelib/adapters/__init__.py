"""Adapters: DynamoDB, KMS, SQS, Xero, QuickBooks and Meta behind our own ports."""
