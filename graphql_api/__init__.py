"""Backup control plane for managed MongoDB Flex clusters."""

__version__ = "0.1.0"
