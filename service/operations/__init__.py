"""What the on-call person asks of a running Proeftuin: ``proeftuin status`` (what every
running challenge and pilot waits for) and ``proeftuin doctor`` (is each part there)."""
