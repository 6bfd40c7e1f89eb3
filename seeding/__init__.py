"""Synthetic, realistic data for demos and benchmarks (`tributary seed`, `serve --demo`)."""
