"""The package version (one place: ``boostfocal.__version__`` and the model files read it)."""

#: The version of boostfocal; a saved model's focal state records the version that wrote it.
__version__ = "0.1.0"
