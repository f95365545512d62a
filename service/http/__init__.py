"""The HTTP side's own pieces that every controller and page shares: how an error is
answered (``errors``), and the checks of ids in paths and query strings (``ids``)."""
