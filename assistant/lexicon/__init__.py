"""What code knows of Arabic words in English: the lexicon stage (``Lexicon``) over the installed
Buckwalter lexicon, FreeDict ara-eng, arwikicats' names and places, and our news glossary."""

from assistant.lexicon.lexicon import Lexicon, english_stem, lexicon

__all__ = ["Lexicon", "english_stem", "lexicon"]
