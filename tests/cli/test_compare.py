"""`partnership compare`: the contracts at one year, their risk and the cells each wins; exit codes."""

from __future__ import annotations

import json

import pytest

from engine import (
    CONTRACT_NAMES,
    ContractTerms,
    Parameters,
    best_counts,
    best_for_host,
    best_for_provider,
    compare_contracts,
    contract_risk,
)
from excel_addin.cli import main
from excel_addin.workbook.contract_figures import POINT_MEASURES
from tests.support.workbook import make_workbook


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def deal(tmp_path_factory):
    return make_workbook(tmp_path_factory.mktemp("cli-compare"), block_fee=6_000, occupancy_step=0.1)


TERMS = ContractTerms(block_fee=6_000)


def test_json_at_the_sheets_year(deal, capsys):
    code, out, _ = cli(capsys, "compare", str(deal), "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["command"] == "compare"
    assert data["point"] == {"occupancy": 0.85, "local_use": 0.6}  # the Compare sheet's defaults
    assert data["contracts"] == list(CONTRACT_NAMES) and data["grid"] == [11, 21]
    assert data["terms"] == TERMS.to_mapping()
    point = compare_contracts(Parameters(), TERMS, [0.85], [0.6]).set_index("contract")
    for contract in CONTRACT_NAMES:
        assert data["figures"][contract] == pytest.approx(point.loc[contract, list(POINT_MEASURES)].to_dict())
    counts = best_counts(
        compare_contracts(Parameters(), TERMS, local_use=None, occupancy=[i / 10 for i in range(11)])
    )
    for contract in CONTRACT_NAMES:
        cells = data["counts"][contract]["host_best_cells"]
        assert cells == counts.loc[contract, "host_best_cells"] and isinstance(cells, int)
        assert data["counts"][contract]["provider_best_share"] == pytest.approx(
            counts.loc[contract, "provider_best_share"]
        )
    risk = contract_risk(Parameters(), TERMS, draws=10_000)  # the Risk sheet's default draws
    assert [row["spot"] for row in data["risk"]["figures"]] == pytest.approx(list(risk["spot"]))
    assert data["risk"]["draws"] == 10_000 and data["risk"]["from_risk_sheet"] is True


def test_json_at_a_chosen_year(deal, capsys):
    code, out, _ = cli(capsys, "compare", str(deal), "--occupancy", "95%", "--local-use", "0.9", "--json")
    data = json.loads(out)
    assert code == 0 and data["point"] == {"occupancy": 0.95, "local_use": 0.9}
    # by hand: spot at 95 % × 90 % of 4 places: the host buys 52·3.42 = 177.84 weeks at £6,500
    assert data["figures"]["spot"]["host_net_cost"] == pytest.approx(177.84 * 6_500)
    assert data["figures"]["spot"]["host_cost_per_local_week"] == pytest.approx(6_500)
    point = compare_contracts(Parameters(), TERMS, [0.95], [0.9])
    best = {"host": best_for_host(point).iloc[0, 0], "provider": best_for_provider(point).iloc[0, 0]}
    assert data["best_at_point"] == best == {"host": "open_book", "provider": "block"}


def test_an_undefined_figure_is_null(deal, capsys):
    _, out, _ = cli(capsys, "compare", str(deal), "--local-use", "0", "--json")
    figures = json.loads(out)["figures"]
    assert all(figures[c]["host_cost_per_local_week"] is None for c in CONTRACT_NAMES)


def test_text_summary(deal, capsys):
    code, out, err = cli(capsys, "compare", str(deal))
    assert code == 0 and err == ""
    for words in (
        "One year: occupancy 85%, local use 60%",
        "Risk over uncertain years",
        "Provider: probability of a loss",
        "Cells won on the 11 × 21 grid",
        "Open book",
        "In this year the host pays least under",
    ):
        assert words in out, words


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--occupancy", "1.5"], "--occupancy: occupancy = 1.5 must be at most 1"),
        (["--local-use", "lots"], "--local-use: local_use = 'lots' is not a number"),
    ],
)
def test_a_bad_option_exits_2(deal, capsys, options, message):
    code, out, err = cli(capsys, "compare", str(deal), *options)
    assert code == 2 and out == "" and message in err and "Traceback" not in err
    code, out, _ = cli(capsys, "compare", str(deal), *options, "--json")
    assert code == 2 and json.loads(out) == {
        "ok": False,
        "command": "compare",
        "error": "invalid_argument",
        "message": message,
    }


def test_invalid_terms_exit_2_naming_the_cell(tmp_path, capsys):
    path = make_workbook(tmp_path, block_places=5)
    code, out, _ = cli(capsys, "compare", str(path), "--json")
    data = json.loads(out)
    assert code == 2 and data["error"] == "invalid_inputs"
    assert data["problems"] == [
        {
            "name": "block_places",
            "label": "Block places",
            "cell": "Compare!B6",
            "message": "block_places = 5 exceeds places = 4",
        }
    ]


def test_a_missing_workbook_exits_2(tmp_path, capsys):
    code, _, err = cli(capsys, "compare", str(tmp_path / "nowhere.xlsx"))
    assert code == 2 and "nowhere.xlsx" in err and "Traceback" not in err
