"""Sign-in for the owner's dashboard: Cognito accounts, verified ID tokens, session cookies, CSRF, memberships.

The organisation a request may see comes only from here (the verified token's `sub` -> the stored membership),
never from a request parameter.
"""
