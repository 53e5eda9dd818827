"""Mappings read from services/lexicon/data/*.tsv."""
import pytest

from services.entities.tables import table


def test_table_keeps_file_order_and_values():
    weekdays = table("weekdays")
    assert list(weekdays)[:2] == ["monday", "tuesday"] and weekdays["sunday"] == "6"
    assert list(table("relative_days")) == ["today", "yesterday", "tomorrow", "tonight"]
    assert table("months")["sept"] == "9"


def test_table_is_read_only_and_a_missing_table_fails():
    with pytest.raises(TypeError):
        table("weekdays")["monday"] = "1"
    with pytest.raises(FileNotFoundError):
        table("no_such_table")
