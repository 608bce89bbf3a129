"""Create, update and import organizations, users, patents and needs; validation lives here."""
