"""Widgets of the play screen: the learning-rate field, the step table and the charts."""
