"""matcher: expert matching and judge-rotation scheduling for dispute-resolution centers (多元调处中心)."""

__version__ = "0.1.0"
