"""A state's rights over what it submitted: verifiable erasure and retention (issue 15 part B)."""
