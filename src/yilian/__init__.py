"""yilian (医联): a knowledge graph and semantic query tool for China's health-system reform."""

__version__ = "0.1.0"
