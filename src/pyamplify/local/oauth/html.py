"""The Hosted UI's pages: plain server-rendered HTML, one small stylesheet, no script, no assets.

Every page is one ``<main>`` with a heading, labelled fields, errors announced with
``role="alert"`` and tied to their fields with ``aria-describedby``, a visible focus ring, and
targets at least 44 px tall, so it works with a keyboard and a screen reader and reads on a
phone as on a desktop. Everything shown is escaped here; callers pass plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape as escape

STYLE = """
:root{color-scheme:light dark;--fg:#16191f;--bg:#f2f3f3;--card:#fff;--accent:#0b57d0;
--err:#b3261e;--muted:#545b64;--line:#aab7b8}
@media (prefers-color-scheme:dark){:root{--fg:#e9ebed;--bg:#0f1b2a;--card:#16263a;
--accent:#8ab4f8;--err:#f2b8b5;--muted:#b6bec9;--line:#5f6b7a}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;
background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{width:100%;max-width:26rem;margin:2rem 1rem;padding:1.5rem;background:var(--card);
border:1px solid var(--line);border-radius:.5rem}
h1{font-size:1.5rem;margin:0 0 1rem}
p{margin:.5rem 0}
label{display:block;font-weight:600;margin-top:1rem}
.hint{color:var(--muted);font-size:.875rem;margin:.25rem 0 0}
input[type=text],input[type=password],input[type=email],input[type=tel]{width:100%;
min-height:44px;margin-top:.25rem;padding:.5rem .75rem;font:inherit;color:inherit;
background:transparent;border:1px solid var(--line);border-radius:.25rem}
button,.button{display:block;width:100%;min-height:44px;margin-top:1.25rem;padding:.5rem 1rem;
font:inherit;font-weight:600;text-align:center;text-decoration:none;border-radius:.25rem;
border:2px solid var(--accent);background:var(--accent);color:var(--card);cursor:pointer}
button.secondary,.button.secondary{background:transparent;color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.error{color:var(--err);font-weight:600}
.notice{border-left:4px solid var(--accent);padding-left:.75rem}
.links{margin-top:1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}
a{color:var(--accent)}
.or{text-align:center;color:var(--muted);margin-top:1.25rem}
code,.secret{font-family:ui-monospace,monospace;overflow-wrap:anywhere}
ul.scopes{padding-left:1.25rem}
fieldset{border:0;padding:0;margin:0}
legend{font-weight:600;margin-top:1rem}
.choice{display:flex;align-items:center;gap:.5rem;min-height:44px}
"""


@dataclass(frozen=True)
class Field:
    """One labelled input."""

    name: str
    label: str
    kind: str = "text"
    value: str = ""
    autocomplete: str = "off"
    hint: str = ""
    required: bool = True
    inputmode: str = ""


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A whole document around ``body`` (already HTML)."""
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><main aria-labelledby="heading"><h1 id="heading">{escape(title)}</h1>'
        f"{body}</main></body></html>"
    )


def paragraph(text: str, css: str = "") -> str:
    """A paragraph of plain text."""
    cls = f' class="{css}"' if css else ""
    return f"<p{cls}>{escape(text)}</p>"


def error(message: str | None) -> str:
    """The form's error, announced to screen readers; empty without one."""
    if not message:
        return ""
    return f'<p class="error" role="alert" id="form-error">{escape(message)}</p>'


def notice(message: str | None) -> str:
    """A status note (a code was sent, the password was changed)."""
    if not message:
        return ""
    return f'<p class="notice" role="status">{escape(message)}</p>'


def link(href: str, text: str, css: str = "") -> str:
    """An anchor."""
    cls = f' class="{css}"' if css else ""
    return f'<a{cls} href="{escape(href)}">{escape(text)}</a>'


def links(items: Iterable[tuple[str, str]]) -> str:
    """A row of links."""
    return '<p class="links">' + "".join(link(href, text) for href, text in items) + "</p>"


def _input(field: Field, *, first: bool, failed: bool) -> str:
    ident = f"f-{field.name}".replace(".", "-").replace(":", "-")
    described = []
    hint = ""
    if field.hint:
        hint = f'<p class="hint" id="{ident}-hint">{escape(field.hint)}</p>'
        described.append(f"{ident}-hint")
    if failed:
        described.append("form-error")
    attributes = [
        f'id="{ident}"',
        f'name="{escape(field.name)}"',
        f'type="{escape(field.kind)}"',
        f'autocomplete="{escape(field.autocomplete)}"',
    ]
    if field.value:
        attributes.append(f'value="{escape(field.value)}"')
    if field.required:
        attributes.append("required")
    if field.inputmode:
        attributes.append(f'inputmode="{escape(field.inputmode)}"')
    if first:
        attributes.append("autofocus")
    if described:
        attributes.append(f'aria-describedby="{" ".join(described)}"')
    if failed:
        attributes.append('aria-invalid="true"')
    return f'<label for="{ident}">{escape(field.label)}</label>{hint}<input {" ".join(attributes)}>'


def form(
    action: str,
    fields: Sequence[Field],
    submit: str,
    *,
    hidden: dict[str, str] | None = None,
    failure: str | None = None,
    extra_buttons: Sequence[tuple[str, str, str]] = (),
) -> str:
    """A POST form: error, fields, hidden values, the submit button (and named extra buttons:
    ``(name, value, label)``, shown as secondary buttons)."""
    parts = [error(failure), f'<form method="post" action="{escape(action)}" novalidate>']
    for index, field in enumerate(fields):
        parts.append(_input(field, first=index == 0, failed=failure is not None))
    for name, value in (hidden or {}).items():
        parts.append(f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">')
    parts.append(f'<button type="submit">{escape(submit)}</button>')
    for name, value, label in extra_buttons:
        parts.append(
            f'<button type="submit" class="secondary" name="{escape(name)}" '
            f'value="{escape(value)}" formnovalidate>{escape(label)}</button>'
        )
    parts.append("</form>")
    return "".join(parts)


def choices(
    action: str,
    legend: str,
    name: str,
    options: Sequence[tuple[str, str]],
    submit: str,
    *,
    hidden: dict[str, str] | None = None,
    failure: str | None = None,
) -> str:
    """A POST form with one radio group (the MFA type)."""
    parts = [error(failure), f'<form method="post" action="{escape(action)}">']
    parts.append(f"<fieldset><legend>{escape(legend)}</legend>")
    for index, (value, label) in enumerate(options):
        checked = " checked" if index == 0 else ""
        ident = f"c-{index}"
        parts.append(
            f'<div class="choice"><input type="radio" id="{ident}" name="{escape(name)}" '
            f'value="{escape(value)}"{checked}><label for="{ident}">{escape(label)}</label></div>'
        )
    parts.append("</fieldset>")
    for key, value in (hidden or {}).items():
        parts.append(f'<input type="hidden" name="{escape(key)}" value="{escape(value)}">')
    parts.append(f'<button type="submit">{escape(submit)}</button></form>')
    return "".join(parts)


def bullet_list(items: Iterable[str], css: str = "") -> str:
    """An unordered list of plain-text items."""
    cls = f' class="{css}"' if css else ""
    return f"<ul{cls}>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"
