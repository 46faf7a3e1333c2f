"""The shipped table of Wikidata IDs and property constraints (issue 15)."""

from __future__ import annotations

import csv

import pytest

from peacekg.namespaces import PKG
from peacekg.wikidata.constraints import parse_table, reference_table
from tests.conftest import REFERENCE


def _shared() -> dict[str, str]:
    path = REFERENCE / "wikidata-ids.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    return {row["id"]: row["label"] for row in csv.DictReader(lines, delimiter="\t")}


def test_every_id_and_label_is_the_reference_lists() -> None:
    shared = _shared()
    table = reference_table()
    assert set(table.labels) <= set(shared)
    assert {qid: shared[qid] for qid in table.labels} == dict(table.labels)


def test_p131_never_takes_a_country() -> None:
    p131 = reference_table().constraints["P131"]
    assert p131.violations({PKG.Place}, {PKG.Place, PKG.State}, ()) == [
        "P131 value must not be a pkg:State"
    ]
    assert p131.violations({PKG.Place}, {PKG.Place}, ("P580",)) == []
    assert p131.violations({PKG.Place}, {PKG.Place}, ("P1545",)) == [
        "P131 does not take the qualifier(s) P1545"
    ]


def test_a_bad_class_in_the_table_names_it() -> None:
    text = "id\tlabel\tkind\tsubject_types\tvalue_types\tvalue_not\tsingle_value\tqualifiers\n"
    text += "P6\thead of government\tproperty\tschema:Person\t\t\t\t\n"
    with pytest.raises(ValueError, match="'schema:Person' is not a pkg: class"):
        parse_table(text)
