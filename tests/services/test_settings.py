"""Library settings and the user's own labels, through the service and the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from newsmark.cli import main
from newsmark.labels import LabelSchemeError
from newsmark.services import settings
from newsmark.services.annotate import configured_model
from newsmark.store import Library


def test_settings_are_checked_and_stored(library: Library) -> None:
    assert settings.get(library, "nlp.n_process") == 1
    assert settings.set_value(library, "nlp.n_process", "2") == 2
    assert settings.get(library, "nlp.n_process") == 2
    with pytest.raises(settings.SettingError, match="between 1 and 64"):
        settings.set_value(library, "nlp.n_process", "0")
    with pytest.raises(settings.SettingError, match="whole number"):
        settings.set_value(library, "nlp.batch_size", "many")
    with pytest.raises(settings.SettingError, match="unknown setting"):
        settings.get(library, "colour")
    settings.set_value(library, "nlp.model", " en_core_web_md ")
    assert configured_model(library) == "en_core_web_md"
    settings.set_value(library, "nlp.model", "")
    assert configured_model(library) is None


def test_the_annotator_name_is_used_in_the_history(db_path) -> None:  # type: ignore[no-untyped-def]
    from newsmark.model import NewDocument

    lib = Library.open(db_path)
    settings.set_value(lib, "annotator", "Rana")
    lib.close()
    lib = Library.open(db_path)
    doc = lib.add_document(NewDocument(text="Text.", title="t")).doc_id
    assert lib.events(doc_id=doc)[0].actor == "Rana"
    lib.close()


def test_user_labels_join_the_scheme(library: Library) -> None:
    before = {label.name: label for label in settings.label_scheme(library)}
    assert "WEAPON" not in before and before["PERSON"].hotkey == "1"
    settings.save_label(library, {"name": "WEAPON", "color": "#aa3322", "description": "A weapon system", "hotkey": "1"})
    settings.save_label(library, {"name": "CARDINAL", "shown": True})
    after = {label.name: label for label in settings.label_scheme(library)}
    assert after["WEAPON"].hotkey == "1" and not after["WEAPON"].builtin and after["WEAPON"].color == "#aa3322"
    assert after["PERSON"].hotkey is None  # the hotkey moved
    assert after["CARDINAL"].shown and not before["CARDINAL"].shown
    with pytest.raises(LabelSchemeError, match="#rrggbb"):
        settings.save_label(library, {"name": "BAD", "color": "red"})
    assert "BAD" not in {label.name for label in settings.label_scheme(library)}
    assert settings.remove_label(library, "CARDINAL") and not settings.remove_label(library, "CARDINAL")
    assert not {label.name: label for label in settings.label_scheme(library)}["CARDINAL"].shown


def test_cli_config_and_labels(db_path) -> None:  # type: ignore[no-untyped-def]
    run = lambda *a: CliRunner().invoke(main, ["--db", str(db_path), *a])  # noqa: E731
    assert "nlp.model = ''" in run("config").output
    assert run("config", "nlp.n_process", "2").output.strip() == "nlp.n_process = 2"
    bad = run("config", "nlp.n_process", "x")
    assert bad.exit_code == 1 and "whole number" in bad.output
    added = run("labels", "add", "WEAPON", "--color", "#aa3322", "--hotkey", "9", "--description", "A weapon")
    assert added.exit_code == 0 and "WEAPON: entity, #aa3322, hotkey 9" in added.output
    listing = run("labels", "list").output
    assert "9  WEAPON" in listing and "(yours)" in listing
    assert run("labels", "add", "X", "--color", "blue").exit_code == 1
    assert run("labels", "remove", "WEAPON").exit_code == 0
    assert run("labels", "remove", "WEAPON").exit_code == 1


def test_a_label_may_be_allowed_to_overlap_other_entities(library: Library) -> None:
    settings.save_label(library, {"name": "QUALIFIER", "may_overlap": True})
    labels = {label.name: label for label in settings.label_scheme(library)}
    assert labels["QUALIFIER"].may_overlap and not labels["PERSON"].may_overlap
