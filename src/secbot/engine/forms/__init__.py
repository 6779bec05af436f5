"""Declarative forms (model) and the one runner that asks them in chat or takes them whole."""

from secbot.engine.forms.model import Choice, Field, Form, Preview

__all__ = ["Choice", "Field", "Form", "Preview"]
