"""Every message the business-case services can raise has a translatable entry."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask

import business_cases
from app.buyer.case_messages import MESSAGES, translate

RAISERS = {"fail", "FieldError", "CaseError", "BenefitError"}


def _templates() -> set[str]:
    """String literals given as the message of fail(...), FieldError(...), CaseError(...)."""
    found = set()
    for path in Path(business_cases.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in RAISERS:
                continue
            # fail(path, message) / FieldError(path, message) / CaseError(message)
            index = 0 if name.endswith("Error") and name != "FieldError" else 1
            if len(node.args) > index:
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    found.add(f"<f-string in {path.name}:{node.lineno}>")
    return found


def test_every_service_message_is_translatable() -> None:
    templates = _templates()
    assert len(templates) > 30
    assert templates - set(MESSAGES) == set()


def test_translate_fills_placeholders(app: Flask) -> None:
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert translate("must be at least %(n)s", {"n": "0"}) == "must be at least 0"
        assert translate("an unknown message") == "an unknown message"
