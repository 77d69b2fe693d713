"""fleettui: a keyboard-driven terminal UI for backing up fleets of Kubernetes clusters."""

__version__ = "0.1.0"
