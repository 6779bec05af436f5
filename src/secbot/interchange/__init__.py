"""A state's data leaving and entering secbot: its own export (JSON, CSV, STIX 2.1), STIX import
as the importing state's own submissions, and a chosen report pushed to MISP."""
