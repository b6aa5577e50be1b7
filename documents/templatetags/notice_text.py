from django import template

register = template.Library()


@register.filter
def paragraphs(text):
    """Split stored text (one paragraph per line) into its non-empty paragraphs."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register.filter
def heading_level(depth):
    """HTML heading level for a unit at this tree depth under the document's h2: h3 … h6."""
    return min(3 + int(depth), 6)
