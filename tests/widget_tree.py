"""Finding the verkenner's widgets the way its web page does: by their CSS class ``verkenner-<name>``."""


def control(ui, name: str):
    """The first widget under ``ui`` that carries the class ``verkenner-<name>``."""
    found = []

    def walk(widget):
        if f"verkenner-{name}" in getattr(widget, "_dom_classes", ()):
            found.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(ui)
    return found[0]
