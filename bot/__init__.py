"""jianxi (见习): a WeChat official-account assistant for the employment-internship programme."""

__version__ = "0.1.0"
