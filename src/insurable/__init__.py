"""insurable: cyber insurability made measurable, explainable and fixable.

Every verdict, premium and figure this package produces is *indicative*: it is traceable to a rule,
a catalogue entry and its public source, but it is not an insurer's offer.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
