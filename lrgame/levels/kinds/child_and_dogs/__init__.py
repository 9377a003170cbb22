"""The child-and-dogs kind: a child's idea of "dog", formed by online gradient descent."""

from .level import ChildAndDogsLevel, label, says_text, step_words

__all__ = ["ChildAndDogsLevel", "label", "says_text", "step_words"]
