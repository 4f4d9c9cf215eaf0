"""What the trust tests share: a browser-like reading of an admin form, so a test posts exactly what an editor's
browser would post (every field the page shows, the hidden edit token included)."""
from __future__ import annotations

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

PASSWORD = "a-long-editor-password"


def make_editor(username: str = "editor"):
    return get_user_model().objects.create_superuser(username, f"{username}@example.org", PASSWORD)


def form_data(html: bytes | str, form_id: str | None = None) -> dict[str, object]:
    """The values a browser would submit for the admin's change form in ``html`` (files left out)."""
    page = BeautifulSoup(html, "html.parser")
    form = page.find("form", id=form_id) if form_id else page.select_one("#content-main form[method=post]")
    data: dict[str, object] = {}
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            data[name] = element.text.removeprefix("\n")
        elif element.name == "select":
            chosen = [option.get("value", option.text) for option in element.find_all("option") if option.has_attr("selected")]
            if element.has_attr("multiple"):
                data[name] = chosen
            elif chosen:
                data[name] = chosen[0]
            else:
                first = element.find("option")
                data[name] = first.get("value", first.text) if first else ""
        else:
            kind = element.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if element.has_attr("checked"):
                    data[name] = element.get("value", "on")
                continue
            data[name] = element.get("value", "")
    return data
