"""Pure domain code: types and rules, no I/O."""
