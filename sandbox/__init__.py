"""Local stand-ins for AWS, Xero, QuickBooks and Meta, for the demo and the tests. Never shipped to Lambda."""
