"""`observatorio mse`: text and JSON output, refusals in plain words, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from etl.defs.estimation.cli import mse_command

DATA = Path(__file__).parent / "data"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = mse_command(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_text_output_names_model_estimate_interval_and_diagnostics() -> None:
    code, out, err = run(["--input", str(DATA / "western.csv")])
    assert code == 0 and err == ""
    assert "Modelo elegido (interacciones): A:E" in out
    assert "Total estimado de víctimas: 2.483" in out
    assert "Intervalo de confianza al 95% (perfil de verosimilitud):" in out
    assert "devianza 26.584" in out


def test_json_output_has_the_contract_keys() -> None:
    code, out, _ = run(["--input", str(DATA / "korea.csv"), "--method", "bic", "--json"])
    assert code == 0
    payload = json.loads(out)
    assert payload["model"] == ["b:c", "c:d"]
    assert payload["method"] == "bic"
    assert payload["available"] is True and payload["reason"] is None
    assert payload["estimate"] == pytest.approx(157.1667, abs=5e-5)
    assert payload["ci_lower"] < payload["estimate"] < payload["ci_upper"]
    assert payload["observed"] == 123


def test_bootstrap_option_switches_to_bca(tmp_path: Path) -> None:
    code, out, _ = run(["--input", str(DATA / "korea.csv"), "--json", "--bootstrap", "40", "--seed", "3"])
    assert code == 0
    payload = json.loads(out)
    assert payload["interval_method"] == "bca"
    assert payload["diagnostics"]["bootstrap"]["replications"] == 40


def test_unavailable_estimate_is_said_in_plain_words_and_nulls(tmp_path: Path) -> None:
    path = tmp_path / "disjuntas.csv"
    pd.DataFrame({"MP": [1, 0], "PN": [0, 1], "count": [30, 20]}).to_csv(path, index=False)
    code, out, _ = run(["--input", str(path)])
    assert code == 0
    assert "Estimación: NO DISPONIBLE." in out
    assert "no comparten suficientes casos" in out
    assert not any(ch.isdigit() for ch in out.split("Estimación:")[1])
    code, out, _ = run(["--input", str(path), "--json"])
    payload = json.loads(out)
    assert code == 0 and payload["available"] is False
    assert payload["estimate"] is None and payload["ci_lower"] is None and payload["ci_upper"] is None
    assert payload["reason"]


@pytest.mark.parametrize(
    ("argv_tail", "content", "fragment"),
    [
        ([], None, "no se encontró"),
        ([], "MP,PN\n1,0\n", "falta la columna 'count'"),
        ([], "MP,PN,count\n1,0,3\n0,x,2\n", "fila 2, columna 'PN'"),
        (["--method", "lasso"], "MP,PN,count\n1,0,3\n", "error de uso"),
        (["--bootstrap", "0"], "MP,PN,count\n1,0,3\n", "--bootstrap"),
    ],
)
def test_usage_and_input_errors_exit_2(
    tmp_path: Path, argv_tail: list[str], content: str | None, fragment: str
) -> None:
    path = tmp_path / "entrada.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(["--input", str(path), *argv_tail])
    assert code == 2
    assert out == ""
    assert fragment in err


def test_missing_input_argument_exits_2() -> None:
    code, _, err = run([])
    assert code == 2 and "--input" in err
