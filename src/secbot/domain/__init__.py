"""Pure domain vocabulary: enums, value objects and errors. No I/O lives here."""
