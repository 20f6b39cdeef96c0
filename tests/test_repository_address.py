"""tools/set_repository.py: one setting ([project.urls] Repository) for every Binder and Colab address."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import set_repository

ROOT = Path(__file__).resolve().parents[1]

FORK = "a-teacher/mdn-course.fork"


def test_every_address_in_the_course_agrees_with_the_setting():
    setting = set_repository.repository()
    found = set_repository.addresses()
    disagree = {str(path.relative_to(ROOT)): names for path, names in found.items() if names != {setting}}
    assert not disagree, f"these addresses differ from [project.urls] Repository ({setting}): {disagree}"


def test_the_readme_and_every_notebook_hold_an_address():
    # So the test above cannot pass by finding nothing: the badge and links, and each notebook's Colab cell.
    found = set_repository.addresses()
    notebooks = sorted((ROOT / "notebooks").glob("**/*.ipynb"))
    assert notebooks and all(path in found for path in notebooks)
    assert ROOT / "README.md" in found


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """A copy of the files the script reads and writes."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for path in set_repository.course_files(ROOT):
        target = tmp_path / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    lessons = tmp_path / "lessons"
    lessons.mkdir(exist_ok=True)
    setting = set_repository.repository()
    (lessons / "99_example.py").write_text(
        f'# %%\n%pip install --no-deps "git+https://github.com/{setting}"\n'
        f"# [Colab](https://colab.research.google.com/github/{setting}/blob/main/x.ipynb)\n"
    )
    return tmp_path


def _texts(root: Path) -> dict[Path, str]:
    paths = [root / "pyproject.toml", *set_repository.course_files(root)]
    return {path.relative_to(root): path.read_text() for path in paths}


def test_pointing_at_a_fork_changes_every_address_and_nothing_else(course_copy, capsys):
    before = _texts(course_copy)
    old = set_repository.repository(course_copy)
    assert set_repository.main([FORK], root=course_copy) == 0
    assert set_repository.repository(course_copy) == FORK
    found = set_repository.addresses(course_copy)
    assert found and all(names == {FORK} for names in found.values())
    after = _texts(course_copy)
    for name, text in before.items():
        assert after[name] == text.replace(old, FORK), f"{name}: more than the addresses changed"
    assert capsys.readouterr().out.splitlines()[-1] == f"{len(found)} file(s) changed"
    # and back: byte for byte the files we started from
    assert set_repository.main([old], root=course_copy) == 0
    assert _texts(course_copy) == before


def test_without_an_argument_the_files_follow_the_setting(course_copy):
    pyproject = course_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(set_repository.repository(), FORK))
    assert set_repository.main(["--check"], root=course_copy) == 1
    assert set_repository.main([], root=course_copy) == 0
    assert set_repository.main(["--check"], root=course_copy) == 0


def test_the_current_setting_leaves_the_repository_unchanged():
    assert set_repository.rewrite(ROOT, set_repository.repository()) == []


@pytest.mark.parametrize(
    "bad", ["mdn-step-by-step", "https://github.com/a/b", "a/b/c", "-owner/name", "owner/name.git", "", "a b/c"]
)
def test_a_malformed_repository_is_refused(bad, course_copy):
    with pytest.raises(ValueError, match="repository must be OWNER/NAME"):
        set_repository.rewrite(course_copy, bad)
    with pytest.raises(SystemExit):
        set_repository.main([bad], root=course_copy)
    assert set_repository.repository(course_copy) == set_repository.repository()
