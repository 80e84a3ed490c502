from pathlib import Path

import pytest

from hanji.recipe import DOMAINS, Recipe, RecipeError, load_recipe, parse_recipe, reference

RECIPES = sorted((Path(__file__).parents[1] / "recipes").glob("*.toml"))


@pytest.mark.parametrize("path", RECIPES, ids=[p.name for p in RECIPES])
def test_every_shipped_recipe_loads(path: Path) -> None:
    recipe = load_recipe(path)
    assert recipe.path == path.resolve()
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Run with:") and "hanji build" in first and path.name in first


def test_quickstart_covers_the_five_domains() -> None:
    recipe = load_recipe(Path(__file__).parents[1] / "recipes" / "quickstart.toml")
    assert recipe.model.base == "smollm2-135m"
    assert {s.domain for s in recipe.corpus.sources} == set(DOMAINS)
    for source in recipe.corpus.sources:
        assert recipe.resolve_path(source.path).is_file(), source.path


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text('[[corpus.sources]]\npath = "data/a.jsonl"\n[output]\ndir = "out"\n', "utf-8")
    recipe = load_recipe(f)
    assert recipe.corpus.sources[0].format == "jsonl"
    assert recipe.corpus.sources[0].domain == "auto"
    assert recipe.resolve_path(recipe.corpus.sources[0].path) == tmp_path / "data" / "a.jsonl"
    assert recipe.output_dir() == tmp_path / "out"
    assert recipe.name == "r"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"modle": {}}, "unknown key 'modle'; allowed: model, corpus"),
        ({"corpus": {"sources": [{"path": "x", "format": "xml"}]}}, "corpus.sources[0].format"),
        ({"corpus": {"sources": [{"path": "x", "domain": "blog"}]}}, "corpus.sources[0].domain"),
        ({"corpus": {"sources": [{"format": "jsonl"}]}}, "'corpus.sources[0].path' is required"),
        ({"corpus": {"weights": {"blog": 1.0}}}, "unknown domain 'blog'"),
        ({"train": {"stages": [{"kind": "full", "lr": 1e-4}]}}, "train.stages[0].steps"),
        ({"train": {"stages": [{"kind": "all", "steps": 1, "lr": 1}]}}, "train.stages[0].kind"),
        ({"train": {"seq_len": 2}}, "train.seq_len"),
        ({"tokenizer": {"add_tokens": -1}}, "tokenizer.add_tokens"),
        ({"train": {"sft": {"data": "x", "steps": 1, "lr": 1, "foo": 2}}}, "train.sft.foo"),
        ({"train": {"budget": "6 minutes"}}, "'train.budget': budget '6 minutes' is not a dura"),
        (
            {"train": {"stages": [{"kind": "full", "steps": 1, "lr": 1, "budget": "0s"}]}},
            "'train.stages[0].budget': budget '0s' must be a positive duration",
        ),
        (
            {
                "tokenizer": {"enabled": False},
                "train": {"stages": [{"kind": "new_embeddings", "steps": 1, "lr": 1}]},
            },
            "no new rows",
        ),
    ],
)
def test_bad_recipes_name_the_key(data: dict, needle: str) -> None:
    with pytest.raises(RecipeError) as info:
        parse_recipe(data)
    assert needle in str(info.value)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="recipe not found"):
        load_recipe(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[model\nbase = 1\n", "utf-8")
    with pytest.raises(RecipeError, match=r"bad\.toml: not valid TOML"):
        load_recipe(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text('[model]\nbsae = "smollm2-135m"\n', "utf-8")
    with pytest.raises(RecipeError, match=r"typo\.toml: invalid recipe") as info:
        load_recipe(typo)
    assert "unknown key 'model.bsae'; allowed: base, dtype" in str(info.value)


def test_recipe_reference_is_current() -> None:
    """docs/recipe.md is generated from the schema; a changed key must regenerate it."""
    doc = Path(__file__).parents[1] / "docs" / "recipe.md"
    assert doc.read_text(encoding="utf-8") == reference(), (
        "docs/recipe.md is stale: run `python -m hanji.recipe docs/recipe.md`"
    )


def test_recipe_reference_lists_every_key() -> None:
    text = reference()
    for section, field in Recipe.model_fields.items():
        if field.exclude:
            continue
        assert f"## `[{section}]`" in text
        for key in field.annotation.model_fields:
            assert f"| `{key}` |" in text, f"{section}.{key} missing from the reference"
    assert "## `[[corpus.sources]]`" in text and "## `[[train.stages]]`" in text
