"""What the tool says to its users about the data, written once.

Every output made from the bundled practice snapshot must say so, in every place a reader
can meet a figure: the report, the explorer, a chart, an export, a line in the terminal.
Those sentences live here, so a change of wording is one change and no output can forget
half of it. Modules import the constant or function they need; nothing here imports
the rest of the package.

- :data:`OEFENDATA_LABEL`: the short label, wherever a source is named
  (``data status``, the mirror's banner, a source's provenance, a cache note).
- :data:`OEFENDATA_LINE`: the one line a command prints above figures from the oefendata.
- :data:`OEFENDATA_SOURCE`: what the source line under a table or chart gets appended.
- :data:`OEFENDATA_CAPTION`: the short warning under a chart.
- :func:`oefendata_banner`: the banner at the top of a report, exercise or explorer.
- :data:`OEFENDATA_EXPORT`: the first line of an exported file.

The texts are Dutch (user-facing); their names and this docstring are English.
"""

from __future__ import annotations

__all__ = [
    "OEFENDATA_LABEL",
    "OEFENDATA_LINE",
    "OEFENDATA_SOURCE",
    "OEFENDATA_CAPTION",
    "OEFENDATA_EXPORT",
    "oefendata_banner",
    "NOT_FOR_POLICY",
    "REAL_FIGURES_HOW",
    "LOCAL_EXAMPLE_LINE",
    "MONITOR_OEFENDATA_LINE",
]

#: The short label: the word readers learn to look for, and what kind of figures these are.
OEFENDATA_LABEL = "OEFENDATA (synthetisch)"

#: What every warning ends with.
NOT_FOR_POLICY = "niet voor beleid gebruiken"

#: What is real in the oefendata (said wherever there is room for it).
_EXCEPT_REAL = "behalve de gepubliceerde voorbeeldcijfers"

#: The line a command prints above figures from the oefendata.
OEFENDATA_LINE = f"LET OP: {OEFENDATA_LABEL} — verzonnen cijfers om mee te oefenen ({_EXCEPT_REAL}); {NOT_FOR_POLICY}."

#: Appended to the source line ("Bron: CBS, 84852NED (CC BY 4.0)") of oefendata figures.
OEFENDATA_SOURCE = f"; OEFENDATA (synthetisch, {_EXCEPT_REAL})"

#: Under a chart, where space is short.
OEFENDATA_CAPTION = f"Let op: OEFENDATA – verzonnen cijfers om mee te oefenen, {NOT_FOR_POLICY}."

#: Where real figures come from, in the words of the CLI.
REAL_FIGURES_HOW = "haal echte cijfers op bij CBS met --source live (of 'impactmonitor fetch' en daarna --source cache)"

#: The first line of an exported file (CSV, Excel, Markdown), above the data.
OEFENDATA_EXPORT = (
    f"LET OP: OEFENDATA. Deze cijfers zijn synthetisch ({_EXCEPT_REAL}) en dienen alleen om te oefenen; "
    f"gebruik ze niet voor beleid en {REAL_FIGURES_HOW}."
)


#: Said of the bundled example of a local indicator file (its figures are made up too).
LOCAL_EXAMPLE_LINE = "LET OP: het lokale bestand bevat synthetische voorbeeldcijfers (verzonnen om te oefenen)."

#: Said where local figures stand beside the monitor's oefendata.
MONITOR_OEFENDATA_LINE = f"LET OP: de cijfers van de Impactmonitor hier zijn {OEFENDATA_LABEL}; {NOT_FOR_POLICY}."


def oefendata_banner(what: str = "Dit uitgewerkte voorbeeld gebruikt", *, short: bool = False) -> str:
    """The banner above a report, an exercise or the explorer.

    ``what`` starts the sentence for the kind of output ("Dit uitgewerkte voorbeeld gebruikt",
    "Deze verkenner toont"); the rest says what the figures are and where real ones come from.
    ``short`` leaves out the command-line advice, for pages whose readers have no command line
    (the explorer in a training room).
    """
    if short:
        return (f"OEFENDATA — {what} synthetische oefencijfers met de opbouw van de CBS-tabellen "
                f"(echt zijn alleen de gepubliceerde voorbeeldcijfers). Gebruik ze om te oefenen, niet voor beleid.")
    return (
        f"OEFENDATA — {what} synthetische oefencijfers met de opbouw van de CBS-tabellen. Echt zijn "
        "alleen de gepubliceerde cijfers uit de voorbeelden Zaanstreek-Waterland en Drenthe (1e halfjaar "
        "2021) en enkele landelijke cijfers; alle andere cijfers zijn verzonnen. Gebruik de uitkomsten "
        f"niet voor beleid: {REAL_FIGURES_HOW}."
    )
