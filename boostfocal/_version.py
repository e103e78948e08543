"""The package version (one place: ``boostfocal.__version__`` and the model files read it)."""

__version__ = "0.1.0"
