"""How the CLI and the page name things in a sentence: "a 7" and "an 8", "a Coat" and "an Ankle
boot", and whether the examples are digits, pictures or rows. Plain Python, no dependencies."""

from __future__ import annotations

VOWEL_LETTERS = set("AEFHILMNORSX")      # letters said with a vowel sound: "an F", "an M"


def article(name: str) -> str:
    """'a' or 'an' before a class name, as it is said aloud: an 8, an 11, an 18, an 80, an A,
    an Ankle boot; a 1, a 7, a Coat, a 'u'."""
    if name.isdigit():
        said = name.lstrip("0") or "0"
        eleven = len(said) % 3 == 2 and said[:2] in ("11", "18")   # eleven, eighteen (thousand)
        return "an" if said.startswith("8") or eleven else "a"
    if len(name) == 1:
        return "an" if name.upper() in VOWEL_LETTERS else "a"
    return "an" if name[:1].lower() in "aeiou" else "a"


def with_article(name: str) -> str:
    """'an 8', 'a Coat'."""
    return f"{article(name)} {name}"


def example_noun(classes: tuple[str, ...] | list[str], kind: str) -> str:
    """What one example is called: 'digit' for pictures whose classes are the ten digits,
    'picture' for other pictures, 'row' for a table (kind is "pictures" or "table")."""
    if kind == "table":
        return "row"
    return "digit" if list(classes) == [str(d) for d in range(10)] else "picture"
