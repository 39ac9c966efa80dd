"""The package's version, one definition, importable from every stage without the package's face."""

__version__ = "0.1.0"
