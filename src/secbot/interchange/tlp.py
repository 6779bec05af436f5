"""TLP 2.0 as STIX 2.1 marking definitions (the FIRST/OASIS TLP 2.0 extension, whose ids every
STIX tool knows), and reading a bundle's markings back into labels without ever widening one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from secbot.domain.enums import TLP

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATOR = "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"
TLP2_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP1_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # TLP 1.0 WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}
KNOWN: dict[str, TLP] = {**{v: k for k, v in TLP2_IDS.items()}, **TLP1_IDS}
ORDER = list(TLP)
"""Least to most restrictive (TLP's own declaration order)."""


def marking_definition(tlp: TLP) -> dict[str, Any]:
    """The standard TLP 2.0 marking definition, exactly as published (same id everywhere)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[tlp],
        "created_by_ref": TLP2_CREATOR,
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{tlp.value}",
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value.lower()}
        },
    }


def tlp_of_definition(obj: Mapping[str, Any]) -> TLP | None:
    """A marking definition's label, read from its id, its TLP 2.0 extension or its TLP 1.0
    definition; None for a marking that is no TLP (a statement, a copyright)."""
    known = KNOWN.get(str(obj.get("id", "")))
    if known is not None:
        return known
    ext = (obj.get("extensions") or {}).get(TLP2_EXTENSION) or {}
    if isinstance(ext, Mapping) and ext.get("tlp_2_0"):
        return TLP.parse(str(ext["tlp_2_0"]))
    if obj.get("definition_type") == "tlp":
        return TLP.parse(str((obj.get("definition") or {}).get("tlp", "")))
    return None


def strictest(labels: Iterable[TLP]) -> TLP | None:
    found = list(labels)
    return max(found, key=ORDER.index) if found else None
