"""The visibility rule. Nothing outside this package decides who may see a submission."""
