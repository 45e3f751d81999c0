"""Lunas' DynamoDB storage: the one package that talks to the table (and the only importer of pynamodb)."""
