"""``tender.techniques``: the techniques extension is declared in packages but its schema
is not applied (not at hand, and core OCDS lets Tender carry the field), so our own check
says that ``hasFrameworkAgreement`` and the other flags are booleans."""

from __future__ import annotations

from typing import Any

import pytest

from ocds import schema as schema_module
from ocds.validate import validate_release

from .conftest import make_release

TECHNIQUES_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_techniques_extension/v1.1.5/extension.json"
)


def test_the_techniques_extension_is_declared_in_packages(schema) -> None:
    assert TECHNIQUES_URL in schema_module.DECLARED_EXTENSIONS
    assert TECHNIQUES_URL in schema.extension_urls


@pytest.mark.parametrize("flag", [True, False, None])
def test_a_boolean_flag_is_valid(schema, flag: bool | None) -> None:
    release = make_release()
    release["tender"]["techniques"] = {"hasFrameworkAgreement": flag}
    result = validate_release(release, schema)
    assert result.valid and result.findings == []


@pytest.mark.parametrize(
    ("techniques", "path"),
    [
        ({"hasFrameworkAgreement": "true"}, "tender/techniques/hasFrameworkAgreement"),
        ({"hasFrameworkAgreement": 1}, "tender/techniques/hasFrameworkAgreement"),
        ({"hasElectronicAuction": "no"}, "tender/techniques/hasElectronicAuction"),
        (["hasFrameworkAgreement"], "tender/techniques"),
    ],
)
def test_a_flag_that_is_not_a_boolean_is_an_error(schema, techniques: Any, path: str) -> None:
    release = make_release()
    release["tender"]["techniques"] = techniques
    result = validate_release(release, schema)
    assert not result.valid
    assert [f.path for f in result.errors] == [path]


def test_lot_techniques_are_checked_too(schema) -> None:
    release = make_release()
    release["tender"]["lots"] = [{"id": "lot-1", "techniques": {"hasFrameworkAgreement": "yes"}}]
    result = validate_release(release, schema)
    assert [f.path for f in result.errors] == ["tender/lots/0/techniques/hasFrameworkAgreement"]
