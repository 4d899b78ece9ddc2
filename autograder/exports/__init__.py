"""Grades written in the formats other systems import (one module per system)."""
