"""The laptop side of sync: the HTTP client, the push/pull engine, the device token file and bundles."""
