"""The encrypted vault, its SQLCipher database, repositories, search and audit log. The only SQL."""
