"""Detect stage: event triggers in parsed text, each with what kind of incident it names and whether the text
reports it as having happened (see :mod:`veilleur.detect.modality`)."""

from veilleur.detect.lexicon import Coding, Frame, Lexicon, load_lexicon
from veilleur.detect.modality import Reading, read_modality
from veilleur.detect.triggers import TriggerHit, find_triggers, scope_tokens, target_coding, weapon_coding

__all__ = [
    "Coding",
    "Frame",
    "Lexicon",
    "Reading",
    "TriggerHit",
    "find_triggers",
    "load_lexicon",
    "read_modality",
    "scope_tokens",
    "target_coding",
    "weapon_coding",
]
